"""The catalogue as a town hall meets it: one side writes, the other is silent (``twinmatch evaluate --task
coldstart``), and the one-sided model learned for it.

Real cooperation cases (French authority ↔ foreign partner, both resolved to catalogue entries) are split
into grouped K folds by the query's side (``query_groups``): by French authority for French queries, by
foreign partner for foreign ones, so a query is a newcomer (all its cases out) while its partner keeps its
cases with others, as in the catalogue. In each fold the catalogue holds what the *other* folds' cases
give it, as the product does (``matcher.catalogue.case_pairs``): their texts on the profiles (the French side's
expertise, the partner's needs) and their pairs as ``cooperation`` links (the theme → geography prior reads
them); the held-out cases' texts, links and prior counts are nowhere, and a held-out pair that is also a
known twinning leaves the link history.

- **French → foreign**: each held-out French authority writes the expertise it told for that partner on its
  profile; the candidates are the whole catalogue (what the engine offers it: the level gate, its known
  partners left out), with or without the partner's continent as a filter. Where does its real partner land?
- **foreign → French**: each held-out partner writes its needs and ranks the French authorities.

Methods on the same queries: ``product`` (what users get), ``structure`` (the same authority before it
wrote anything), ``prior`` (the theme → geography prior alone). Hit rates and MRR: ``matcher.learning.metrics``
(a tie is a fair coin: each metric is its expected value over a random order of the tied candidates). Pairs
whose text names the partner are reported apart: names find those, the question is what finds the others.

The one-sided model of each fold is learned on the other folds' cases only (``one_sided_pairs``), with the
partners silent as they are in the catalogue, leave-one-out (a training query's own links and cases are out
of its history and prior).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.model_selection import GroupKFold
from tqdm import tqdm

from matcher.catalogue.case_pairs import CasePair, case_links, case_pairs, case_profiles, silent
from matcher.domain import CONTINENTS, Facet, Filters, Profile
from matcher.encoding import Encoder, QueryEncoder
from matcher.events.batch import put_profiles
from matcher.learning.cooperation import CaseSet
from matcher.learning.metrics import Placement, Table, placement
from matcher.ranking.calibration import calibration_group
from matcher.ranking.features import FEATURE_INDEX, Query
from matcher.ranking.listing import keys_with_head
from matcher.ranking.ranker import PairRanker
from matcher.ranking.score_scale import probability, reliability
from matcher.ranking.scoring import prepared, rank, score_rows
from matcher.ranking.state import MatchState, eligible_rows, query_from_profile
from matcher.ranking.text_corpus import profile_texts

METHODS = ("product", "structure", "prior")
KS = (10, 50, 100)
RELIABILITY = "reliability"  # result keys "reliability/<direction>/<band>": the score's calibration check
#: Negatives per training query for the one-sided model: random eligible candidates, and optionally the
#: hardest ones (the structural model's best): those teach "structure does not find cooperation partners"
#: and cost the cold start (HR@50, unnamed, continent filter: 23.7 % with 50 of them, 33.1 % without;
#: ``benchmarks/coldstart_variants.py``).
RANDOM_NEGATIVES, HARD_NEGATIVES = 150, 0


#: Distinct texts an evaluation encodes (every case text, a few variants each): all kept in memory.
MEMO_TEXTS = 100_000


def memo_encoder(encoder: Encoder) -> QueryEncoder:
    """``encoder`` behind an in-memory cache big enough to encode each distinct text once per evaluation."""
    return encoder if isinstance(encoder, QueryEncoder) else QueryEncoder(encoder, size=MEMO_TEXTS)


def fold_state(base: MatchState, catalogue: Mapping[str, Profile], pairs: Sequence[CasePair], train: Sequence[int],
               test: Sequence[int], encoder: Encoder, *, sides: tuple[str, ...] = ("french", "foreign"),
               ranker: PairRanker | None = None) -> MatchState:
    """The catalogue as the product would hold it with only ``train``'s cases: their texts on the sides in
    ``sides``, their pairs as cooperation links; ``test``'s pairs out of the link history too."""
    # Every case authority silent first (the catalogue the store loaded holds every case's texts), then the
    # training cases' texts on their sides.
    every = {pid: silent(catalogue[pid]) for p in pairs for pid in (p.french_id, p.foreign_id)}
    every.update({x.id: x for x in case_profiles([pairs[i] for i in train], catalogue, sides=sides)})
    profiles = list(every.values())
    texts = profile_texts(profiles)
    keys = sorted(texts)
    vecs = encoder.encode([texts[k] for k in keys]) if keys else np.zeros((0, encoder.dim), dtype=np.float32)
    arrays = put_profiles(base.arrays, profiles, {k: vecs[i] for i, k in enumerate(keys)}, base.countries)
    held = {frozenset((pairs[i].french_id, pairs[i].foreign_id)) for i in test}
    links = [x for x in base.links if x.kind != "cooperation" and frozenset((x.a, x.b)) not in held]
    links += case_links([pairs[i] for i in train])
    return MatchState.build(arrays, links, ranker if ranker is not None else base.ranker, base.countries)


def _writer(p: Profile, *, expertise: str = "", needs: str = "") -> Profile:
    return silent(p).with_changes(expertise=Facet(text=expertise), needs=Facet(text=needs))


@dataclass(frozen=True)
class Shortlist:
    """One ranked shortlist as the list's order needs it: each row's logit, calibration group (its model and
    the query's side), size offset, and whether it is the real partner; so its order can be recomputed under
    any calibration (``rank_under``). ``prior``: the part of each logit the stated preferences add (the place a
    query's text names), left out of what the calibration learns (``PairRanker.preference_prior``)."""

    logits: np.ndarray
    modes: np.ndarray  # calibration groups (``ranker.calibration_group``)
    adjustment: np.ndarray
    label: np.ndarray
    prior: np.ndarray | None = None


def shortlist_of(state: MatchState, q: object, cand: np.ndarray, target: int) -> Shortlist:
    assert state.ranker is not None
    scored = rank(state, q, cand)  # type: ignore[arg-type]
    return Shortlist(logits=np.asarray(scored.logits),
                     modes=calibration_group(state.ranker.modes(scored.X), scored.foreign_query),
                     adjustment=state.ranker.size_adjustment(scored.X), label=(scored.rows == target).astype(int),
                     prior=state.ranker.preference_prior(scored.X))


def rank_under(sl: Shortlist, ranker: PairRanker) -> Placement:
    """The real partner's place in the list as users see it (``listing.head_keys`` on the calibrated scale of
    ``ranker``'s calibration), missed when it is outside the shortlist."""
    hit = np.flatnonzero(sl.label)
    if not len(hit):
        return Placement(missed=1)
    return placement(keys_under(sl, ranker), hit[:1])


def keys_under(sl: Shortlist, ranker: PairRanker) -> np.ndarray:
    """The list's ordering keys under ``ranker``'s calibration: each pair's displayed score as a logit."""
    return keys_with_head(ranker.calibrated_logit(sl.logits, sl.modes), sl.adjustment)


def prior_rank(state: MatchState, q: object, cand: np.ndarray, target: int) -> Placement:
    """Place of ``target`` by the theme → geography prior alone (most candidates tie: the prior knows their
    country and theme only; ``matcher.learning.metrics``' tie rule)."""
    from matcher.ranking.features import text_features

    col = text_features(prepared(state, q), state.arrays, cand)["theme_geo"]  # type: ignore[arg-type]
    at = np.flatnonzero(cand == target)
    if not len(at):
        return Placement(missed=1)
    return placement(col, at[:1])


@dataclass
class Calibration:
    """Held-out (logit, label, model) rows of every ranked shortlist: what ``PairRanker.fit_calibration`` reads;
    with each list's size offsets, its ordering keys under a calibration (``keys``: what ``fit_display`` reads)."""

    logits: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    modes: list[np.ndarray] = field(default_factory=list)
    adjustments: list[np.ndarray] = field(default_factory=list)

    def add(self, logits: np.ndarray, labels: np.ndarray, modes: np.ndarray,
            adjustment: np.ndarray | None = None) -> None:
        self.logits.append(logits)
        self.labels.append(labels)
        self.modes.append(modes)
        self.adjustments.append(np.zeros(len(logits)) if adjustment is None else adjustment)

    def add_list(self, sl: Shortlist) -> None:
        """A held-out list, its logits without the stated preferences' part (what the maps learn from)."""
        self.add(sl.logits if sl.prior is None else sl.logits - sl.prior, sl.label, sl.modes, sl.adjustment)

    def keys(self, ranker: PairRanker) -> tuple[np.ndarray, np.ndarray]:
        """(ordering keys of every list under ``ranker``'s calibration, labels)."""
        if not self.logits:
            return np.zeros(0), np.zeros(0, dtype=int)
        keys = [keys_under(Shortlist(logits=lg, modes=m, adjustment=adj, label=lb), ranker)
                for lg, m, adj, lb in zip(self.logits, self.modes, self.adjustments, self.labels)]
        return np.concatenate(keys), np.concatenate(self.labels)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.logits:
            return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=np.int8)
        return np.concatenate(self.logits), np.concatenate(self.labels), np.concatenate(self.modes)


def one_sided_pairs(base: MatchState, catalogue: Mapping[str, Profile], pairs: Sequence[CasePair],
                    train: Sequence[int], encoder: Encoder, *, seed: int = 0, progress: bool = False,
                    hard: int = HARD_NEGATIVES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups) for ``PairRanker.fit_one_sided`` from ``train``'s cases, both ways: the writer's side
    has its texts, the other side is silent (a state per direction), each query leave-one-out."""
    rng = np.random.default_rng(seed)
    Xs, ys, gs = [], [], []
    for side, other in (("french", "foreign"), ("foreign", "french")):
        st = fold_state(base, catalogue, pairs, train, (), encoder, sides=(side,))
        a = st.arrays
        for i in tqdm(train, desc=f"one-sided pairs ({side})", unit="query", disable=not progress):
            p = pairs[i]
            q_id = p.french_id if side == "french" else p.foreign_id
            target = a.row(p.foreign_id if side == "french" else p.french_id)
            row = a.row(q_id)
            if target is None or row is None:
                continue
            writer = _writer(catalogue[q_id], **({"expertise": p.expertise} if side == "french" else {"needs": p.needs}))
            q = replace(query_from_profile(writer, a, encoder=encoder, countries=st.countries), exclude_rows=(row,))
            cand = eligible_rows(st, q, writer, Filters(include_existing=True))
            cand = cand[cand != target]
            if not len(cand):
                continue
            neg = rng.choice(cand, size=min(RANDOM_NEGATIVES, len(cand)), replace=False)
            if hard:
                ranked = rank(st, q, cand)
                best = ranked.rows[np.argsort(-ranked.logits)[:hard]]
                rows = np.unique(np.concatenate([neg, best]))
            else:
                rows = np.unique(neg)
            rows = np.concatenate([[target], rows[rows != target]])
            s = score_rows(st, q, rows)
            Xs.append(s.X)
            y = np.zeros(len(rows), dtype=int)
            y[0] = 1
            ys.append(y)
            gs.append(np.full(len(rows), row))
    if not Xs:
        return np.zeros((0, len(FEATURE_INDEX))), np.zeros(0, dtype=int), np.zeros(0)
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(gs)


def named(state: MatchState, q: Query, target: int) -> bool:
    """Whether the query's text names the target: one of the phrases that name it (its name or French name
    less level words, ``CatalogueArrays.name_phrases``) is a phrase of the text. How sure the name matcher is
    (namesakes elsewhere) does not matter here: "Marseille est liée à Tunis" names Tunis, even though a
    Tunis in Egypt makes the product's name weight less than 1 (the reports counted such texts as not naming
    their partner until 2026-12-07)."""
    tn = q.text_names
    if tn is None:
        return False
    said = tn.grams | tn.weak
    return any(p in said for p in state.arrays.name_phrases(int(target)))


#: Which side each direction's folds group by: its query's. A query is a newcomer, so all of its cases are
#: held out with it; the candidates keep their other cases (texts, links), as the catalogue would.
DIRECTIONS = ("french", "foreign")


def query_groups(pairs: Sequence[CasePair], direction: str) -> list[str]:
    """The K-fold group of each pair for ``direction``'s queries: the French authority's group (its loose
    name, ``CaseSet.groups``) for French queries, the foreign partner's id for foreign ones."""
    return [p.group if direction == "french" else p.foreign_id for p in pairs]


def evaluate(base: MatchState, catalogue: Mapping[str, Profile], cases: CaseSet, encoder: Encoder, *,
             k: int = 5, seed: int = 0, progress: bool = True,
             fit: Callable[[PairRanker, np.ndarray, np.ndarray, np.ndarray], PairRanker] | None = None
             ) -> tuple[dict[str, dict[str, float]], Calibration, list[dict]]:
    """Grouped K-fold cold start, both ways, each way on folds grouped by its query's side (``query_groups``:
    a French query's other cases are out with it, its partner keeps its cases with other French authorities,
    and the mirror for a foreign query): (metrics per "direction/filter/method/named|unnamed", the held-out
    shortlists for calibration, each fold's one-sided fit)."""
    assert base.ranker is not None
    memo = memo_encoder(encoder)
    pairs = case_pairs(cases, catalogue)
    ranks = Table(hits=KS)
    calib = Calibration()
    fits = []
    promised: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}  # direction -> (shown scores, labels)
    for direction in DIRECTIONS:
        # (fold, key, shortlist): every held-out list, ranked at the end under a calibration fitted on the other
        # folds' lists only (cross-fitted: the order users see mixes models by their calibrated probability).
        held: list[tuple[int, tuple[str, ...], Shortlist]] = []
        folds = GroupKFold(n_splits=k).split(np.arange(len(pairs)), groups=query_groups(pairs, direction))
        for fold, (tr, te) in enumerate(folds):
            Xo, yo, go = one_sided_pairs(base, catalogue, pairs, tr, memo, seed=seed + fold, progress=progress)
            ranker = copy.deepcopy(base.ranker)
            ranker = (fit or (lambda r, X, y, g: r.fit_one_sided(X, y, g)))(ranker, Xo, yo, go)
            fits.append({"direction": direction, **getattr(ranker, "one_sided_fit_", {})})
            st = fold_state(base, catalogue, pairs, tr, te, memo, ranker=ranker)
            desc = f"cold start, {direction} queries, fold {fold + 1}/{k}"
            for i in tqdm(te, desc=desc, unit="pair", disable=not progress):
                held += _held_lists(st, catalogue, pairs[i], direction, memo, fold, ranks)
        # Calibrated on the unfiltered lists only (each pair once, at the rate of a list without filter: a
        # filter shrinks the candidates, so its lists hold more partners per pair): the structure lists
        # calibrate the structural model, the product lists the others; then the display map on the same
        # lists' keys.
        for fold in range(k):
            fitted = copy.deepcopy(base.ranker)
            train = Calibration()
            for held_fold, (_, fname, _, _), sl in held:
                if held_fold != fold and fname == "all":
                    train.add_list(sl)
            fitted.fit_calibration(*train.arrays())
            fitted.fit_display(*train.keys(fitted))
            for held_fold, (_, fname, method, tag), sl in held:
                if held_fold == fold:
                    r = rank_under(sl, fitted)
                    ranks.add(f"{direction}/{fname}/{method}/{tag}", r)
                    ranks.add(f"{direction}/{fname}/{method}/all", r)
                    if method == "product" and fname == "all":  # the shown score of every held-out pair
                        shown = probability(fitted.display_logit(keys_under(sl, fitted)))
                        promised.setdefault(direction, ([], []))[0].append(shown)
                        promised[direction][1].append(sl.label)
        for _, (_, fname, _, _), sl in held:
            if fname == "all":
                calib.add_list(sl)
    results = dict(sorted(ranks.as_dict().items()))
    for direction, (shown_, labels) in sorted(promised.items()):
        for band in reliability(np.concatenate(shown_), np.concatenate(labels)):
            results[f"{RELIABILITY}/{direction}/{band['low']}-{band['high']}"] = band
    return results, calib, fits


def _held_lists(st: MatchState, catalogue: Mapping[str, Profile], p: CasePair, direction: str, memo: Encoder,
                fold: int, ranks: Table) -> list[tuple[int, tuple[str, ...], Shortlist]]:
    """One held-out pair's shortlists in ``direction`` (its query writes, then the same query silent), with
    and without the partner's continent as a filter (French queries); the prior's place goes to ``ranks``."""
    a = st.arrays
    fr, fo = a.row(p.french_id), a.row(p.foreign_id)
    if fr is None or fo is None:
        return []
    q_id, target, text = ((p.french_id, fo, {"expertise": p.expertise}) if direction == "french"
                          else (p.foreign_id, fr, {"needs": p.needs}))
    writer = _writer(catalogue[q_id], **text)
    q_after = query_from_profile(writer, a, encoder=memo, countries=st.countries)
    q_before = query_from_profile(_writer(catalogue[q_id]), a, encoder=memo, countries=st.countries)
    tag = "named" if named(st, q_after, target) else "unnamed"
    filters = [("all", Filters())]
    c = int(a.country_continent[a.country[fo]])
    if direction == "french" and c >= 0:
        filters.append(("continent", Filters(continents=(CONTINENTS[c],))))
    out: list[tuple[int, tuple[str, ...], Shortlist]] = []
    for fname, f in filters:
        cand = eligible_rows(st, q_after, writer, f)
        out.append((fold, (direction, fname, "product", tag), shortlist_of(st, q_after, cand, target)))
        out.append((fold, (direction, fname, "structure", tag), shortlist_of(st, q_before, cand, target)))
        r_prior = prior_rank(st, q_after, cand, target)
        ranks.add(f"{direction}/{fname}/prior/{tag}", r_prior)
        ranks.add(f"{direction}/{fname}/prior/all", r_prior)
    return out


def format_table(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'direction/filter/method/pairs':<40}{'queries':>8}" + "".join(f"{'HR@' + str(n):>8}" for n in KS)
             + f"{'MRR':>8}"]
    for key, r in results.items():
        if key.startswith(RELIABILITY):
            continue
        lines.append(f"{key:<40}{int(r['queries']):>8}" + "".join(f"{r[f'HR@{n}']:>8.3f}" for n in KS)
                     + f"{r['MRR']:>8.3f}")
    for direction, f, n in (("french", "continent", 50), ("foreign", "all", 10)):
        prod = results.get(f"{direction}/{f}/product/unnamed")
        base = results.get(f"{direction}/{f}/structure/unnamed")
        if prod and base:
            ratio = prod[f"HR@{n}"] / base[f"HR@{n}"] if base[f"HR@{n}"] else float("inf")
            lines.append(f"{direction}, {f}, unnamed: product HR@{n} {prod[f'HR@{n}']:.3f} = {ratio:.2f} x "
                         f"structure alone ({base[f'HR@{n}']:.3f})")
    bands = [(k.split("/")[1], k.split("/")[2], r) for k, r in results.items() if k.startswith(RELIABILITY)]
    if bands:
        lines += ["", ("Reliability of the 0-100 match score (held-out pairs of every list, no filter; cross-fitted "
                  "calibration): 1 real partnership in N pairs, promised vs observed"),
                  f"{'direction':<10}{'score':>8}{'pairs':>9}{'partners':>10}{'promised 1 in':>15}{'observed 1 in':>15}"]
        for direction, band, r in bands:
            promised = f"{1 / r['predicted']:.0f}" if r["predicted"] else "-"
            observed = f"{1 / r['observed']:.0f}" if r["observed"] else "-"
            lines.append(f"{direction:<10}{band:>8}{int(r['pairs']):>9}{int(r['partners']):>10}{promised:>15}"
                         f"{observed:>15}")
    return "\n".join(lines)


__all__ = ["Calibration", "evaluate", "fold_state", "format_table", "memo_encoder", "one_sided_pairs"]
