"""Event batch ranking: every participant against every other participant, through the engine.

- The texts of all participants are embedded in ONE encoder call (identical texts once).
- Participants that are catalogue authorities are scored from their catalogue row, so the link history
  (neighbours' twinnings, the country shares...) counts exactly as in ``engine.recommend``; the others
  are appended to a copy of the catalogue arrays in one vectorised step (``put_profiles``).
- Each participant is a query against the explicit rows of the other participants it may meet (other
  side, other country, not an existing partner, not avoided — a must-meet pair is always scored). All
  those candidates are scored by the ranker (no shortlist: an event is small next to the catalogue),
  which also gives the full pairwise matrix the scheduler needs: P(a→b), and the reciprocal score
  sqrt(P(a→b)·P(b→a)), high only when both sides gain.

Plain dataclasses in, plain dataclasses out: an HTTP route calls ``rank_event`` in one line.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from matcher.catalogue.files import Country
from matcher.domain import Profile, Reason
from matcher.encoding import Encoder
from matcher.errors import InvalidInput
from matcher.events.participants import Event
from matcher.ranking.arrays import QUOTED_FIELDS, CatalogueArrays, by_id_with, refit_text
from matcher.ranking.features import Query
from matcher.ranking.listing import Listed, listed
from matcher.ranking.ranker import PairRanker
from matcher.ranking.score_scale import probability
from matcher.ranking.scoring import Scored, calibrated, explain, score_many
from matcher.ranking.shared_words import document_frequency
from matcher.ranking.state import MatchState, extended_state, query_from_row
from matcher.ranking.text_corpus import FIELDS, profile_texts

DEFAULT_DIM = 512
BATCH_ROWS = 100_000  # feature rows per ranker call
APPENDED_PREFIX = "event:"  # row id of a non-catalogue participant: never collides with a catalogue id


@dataclass(frozen=True)
class RankedPartner:
    rank: int  # 1 = best
    partner_id: str
    partner_name: str
    score: float  # P(participant -> partner), the engine's score
    mutual: float  # sqrt(P(a->b) * P(b->a))
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class EventRanking:
    ids: tuple[str, ...]  # participant ids, event order
    names: tuple[str, ...]
    rankings: tuple[tuple[RankedPartner, ...], ...]  # per participant, event order
    probability: np.ndarray  # (n, n) float32 P(row -> column); nan where the pair is not scored
    mutual: np.ndarray  # (n, n) float32, symmetric; nan where the pair is not scored
    timings: dict[str, float]  # seconds: embed, arrays, score (features + ranker), reasons
    texts_encoded: int
    catalogue_participants: int  # scored from their catalogue row (history priors apply)

    def for_participant(self, participant_id: str) -> tuple[RankedPartner, ...]:
        return self.rankings[self.ids.index(participant_id)]


# ---- arrays --------------------------------------------------------------------------------------
def put_profiles(arrays: CatalogueArrays, profiles: Sequence[Profile], vectors: Mapping[str, np.ndarray],
                 countries: Mapping[str, Country]) -> CatalogueArrays:
    """A copy of ``arrays`` with ``profiles`` replaced (same id) or appended, in one pass.

    ``with_profile`` does one profile with O(n) copies; 1,000 of them would be O(n·m). Here the new rows
    are built together (``CatalogueArrays.build`` on the batch), recoded into the catalogue's
    vocabularies, and every column is copied once. Replaced rows get new text rows (old ones are left
    unreferenced, as ``without`` does), so the text matrices are only appended to.
    """
    if not profiles:
        return arrays
    a = arrays
    one = CatalogueArrays.build(profiles, countries, vectors, dim=a.dim, fit_corpus=False, name_stats=a.name_stats)
    if one.theme_codes != a.theme_codes:
        raise ValueError("theme taxonomy differs between the catalogue arrays and the batch")
    cmap = np.array([a.country_index(c) for c in one.country_codes], dtype=np.int16)
    country = cmap[one.country]
    if (country < 0).any():
        bad = sorted({one.country_codes[c] for c in one.country[country < 0]})
        raise InvalidInput(f"countries not in the catalogue: {', '.join(bad)}", field="country")
    admin1_keys = list(a.admin1_keys)
    known = {key: i for i, key in enumerate(admin1_keys)}
    for key in one.admin1_keys:
        if key not in known:
            known[key] = len(admin1_keys)
            admin1_keys.append(key)
    a1map = np.array([known[key] for key in one.admin1_keys] + [-1], dtype=np.int32)
    admin1 = a1map[one.admin1]  # -1 indexes the trailing -1
    a2 = {key: i for i, key in enumerate(a.admin2_keys)}
    a2map = np.array([a2.get(key, -1) for key in one.admin2_keys] + [-1], dtype=np.int32)
    admin2 = a2map[one.admin2]
    languages = list(a.languages)
    for lang in one.languages:  # new languages get a bit while the 64-bit mask has room
        if lang not in languages and len(languages) < 64:
            languages.append(lang)
    lpos = {lang: i for i, lang in enumerate(languages)}
    bit_of = [(b, lpos[lang]) for b, lang in enumerate(one.languages) if lang in lpos]
    lang_mask = np.array([sum(1 << to for b, to in bit_of if (int(m) >> b) & 1) for m in one.lang_mask],
                         dtype=np.uint64)
    base_text = a.emb[FIELDS[0]].shape[0]
    text_row = np.where(one.text_row >= 0, one.text_row + base_text, -1).astype(np.int32)
    emb = {f: np.concatenate([a.emb[f], one.emb[f]]) for f in FIELDS}
    has_field = {f: np.concatenate([a.has_field[f], one.has_field[f]]) for f in FIELDS}
    lex = {f: sp.vstack([a.lex[f], one.lex[f]], format="csr") for f in FIELDS}
    tf = {f: sp.vstack([a.tf[f], one.tf[f]], format="csr") for f in FIELDS}
    tokens = sp.vstack([x for x in (a.tokens, one.tokens) if x is not None], format="csr")

    existing = np.array([a.index.get(pid, -1) for pid in one.ids], dtype=np.int64)
    old = existing >= 0
    new = ~old
    # A replaced row's former texts leave the corpus (they would still count in IDF, hubness, z-scores).
    orphaned = a.text_row[existing[old]]
    orphaned = orphaned[orphaned >= 0]
    word_df, n_texts = Counter(a.word_df) + Counter(one.word_df), a.n_texts + one.n_texts
    if len(orphaned):
        for f in FIELDS:
            has_field[f][orphaned] = False
        gone = [t for f in QUOTED_FIELDS for t in (a.texts.get(f, ())[tr] for tr in orphaned.tolist()) if t]
        word_df -= document_frequency(gone)  # (a Counter's subtraction drops the words counted 0)
        n_texts -= len(gone)

    def col(base: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.concatenate([base, values[new].astype(base.dtype)])
        out[existing[old]] = values[old]
        return out

    ids = col(a.ids, one.ids)
    names_mat = None
    if a.names_mat is not None and one.names_mat is not None:
        names_mat = sp.vstack([a.names_mat, one.names_mat[np.flatnonzero(new)]], format="csr")
        if old.any():  # replaced rows: zero them, then add the batch's rows in their place (sparse products)
            dst = existing[old]
            keep = np.ones(names_mat.shape[0])
            keep[dst] = 0.0
            scatter = sp.csr_matrix((np.ones(len(dst)), (dst, np.arange(len(dst)))),
                                    shape=(names_mat.shape[0], len(dst)))
            names_mat = sp.csr_matrix(sp.diags(keep) @ names_mat + scatter @ one.names_mat[np.flatnonzero(old)])
    index = dict(a.index)
    index.update({pid: a.n + i for i, pid in enumerate(one.ids[new])})
    out = replace(
        a, ids=ids, names=col(a.names, one.names), kind=col(a.kind, one.kind), level=col(a.level, one.level),
        country=col(a.country, country), admin1=col(a.admin1, admin1), admin2=col(a.admin2, admin2),
        xyz=col(a.xyz, one.xyz), lat=col(a.lat, one.lat), lon=col(a.lon, one.lon),
        has_coord=col(a.has_coord, one.has_coord), log_pop=col(a.log_pop, one.log_pop),
        population=col(a.population, one.population), content=col(a.content, one.content),
        lang_mask=col(a.lang_mask, lang_mask), exp_themes=col(a.exp_themes, one.exp_themes),
        need_themes=col(a.need_themes, one.need_themes), text_row=col(a.text_row, text_row),
        emb=emb, has_field=has_field, lex=lex, tf=tf, tokens=tokens, names_mat=names_mat,
        text_names=(*a.text_names, *one.text_names),
        texts={f: (*a.texts.get(f, ()), *t) for f, t in one.texts.items()},
        word_df=word_df, n_texts=n_texts,
        admin1_keys=tuple(admin1_keys), languages=tuple(languages),
        admin1_names={**a.admin1_names, **one.admin1_names}, index=index, **by_id_with(a, one),
    )
    # The batch's texts join the corpus: IDF and hubness are refitted on all of it.
    return refit_text(out) if (one.text_row >= 0).any() else out


@dataclass(frozen=True)
class Prepared:
    """A state whose arrays hold every participant, and where each participant sits in it."""

    state: MatchState
    rows: np.ndarray  # (n,) row of each participant, event order
    texts_encoded: int  # distinct texts sent to the encoder
    embed_seconds: float
    arrays_seconds: float


def encode_once(encoder: Encoder | None, texts: Mapping[str, str]) -> tuple[dict[str, np.ndarray], int]:
    """``key -> vector`` for ``key -> text``: one encoder call, each distinct text once."""
    if not texts:
        return {}, 0
    if encoder is None:
        raise InvalidInput("participants have texts but no encoder is available", field="expertise")
    keys = sorted(texts)
    unique = list(dict.fromkeys(texts[key] for key in keys))
    vecs = encoder.encode(unique)
    at = {t: i for i, t in enumerate(unique)}
    return {key: vecs[at[texts[key]]] for key in keys}, len(unique)


def row_profile(p: Profile, catalogue_id: str | None) -> Profile:
    return p if catalogue_id is not None else p.with_changes(id=APPENDED_PREFIX + p.id)


def event_state(event: Event, *, state: MatchState | None, encoder: Encoder | None,
                ranker: PairRanker | None = None, countries: Mapping[str, Country] | None = None) -> Prepared:
    """The state whose arrays hold every participant, and each participant's row in it.

    With ``state``: the catalogue plus the participants (catalogue rows replaced only where the file
    changes something the scoring reads). Without: arrays of the participants alone and no history
    (tests, or an event run without a catalogue) — then ``ranker`` and ``countries`` are required.
    """
    ps = event.participants
    if state is None:
        if ranker is None or countries is None:
            raise ValueError("without a catalogue state, pass ranker= and countries=")
        profiles = [row_profile(p.profile, p.catalogue_id) for p in ps]
        t0 = time.perf_counter()
        vectors, encoded = encode_once(encoder, profile_texts(profiles))
        t1 = time.perf_counter()
        arrays = CatalogueArrays.build(profiles, countries, vectors,
                                       dim=encoder.dim if encoder is not None else DEFAULT_DIM)
        st = MatchState.build(arrays, [], ranker, countries)
    else:
        base = state.arrays
        put = [row_profile(p.profile, p.catalogue_id) for p in ps
               if p.catalogue_id is None or p.overrides or base.row(p.profile.id) is None]
        t0 = time.perf_counter()
        vectors, encoded = encode_once(encoder, profile_texts(put))
        t1 = time.perf_counter()
        st = extended_state(state, put_profiles(base, put, vectors, state.countries))
        if ranker is not None:
            st = replace(st, ranker=ranker)
    rows = np.array([st.arrays.row(row_profile(p.profile, p.catalogue_id).id) for p in ps], dtype=np.int64)
    return Prepared(state=st, rows=rows, texts_encoded=encoded, embed_seconds=t1 - t0,
                    arrays_seconds=time.perf_counter() - t1)


def pair_mask(event: Event, st: MatchState, rows: np.ndarray, *, include_existing: bool = False,
              include_same_country: bool = False) -> np.ndarray:
    """(n, n) bool, symmetric: which pairs are scored (and may be scheduled)."""
    ps = event.participants
    n = len(ps)
    mask = ~np.eye(n, dtype=bool)
    if event.has_sides:
        side = np.array([p.side for p in ps], dtype=object)
        mask &= side[:, None] != side[None, :]
    if not include_same_country:
        c = st.arrays.country[rows]
        mask &= c[:, None] != c[None, :]
    if not include_existing:
        pos_of_row = {int(r): i for i, r in enumerate(rows)}
        pos_of_cat = {p.catalogue_id: i for i, p in enumerate(ps) if p.catalogue_id}
        for i, p in enumerate(ps):
            others = {pos_of_cat[c] for c in p.known_partners if c in pos_of_cat}
            others |= {pos_of_row[r] for r in st.partners.get(int(rows[i]), ()) if r in pos_of_row}
            for j in others:
                mask[i, j] = mask[j, i] = False
    for i, j in event.pairs("avoid"):
        mask[i, j] = mask[j, i] = False
    for i, j in event.pairs("must_meet") | event.pairs("would_like"):  # asked for by name: scored whatever the
        mask[i, j] = mask[j, i] = True  # filters say
    return mask


def rank_event(event: Event, *, state: MatchState | None, encoder: Encoder | None, k: int = 10,
               include_existing: bool = False, include_same_country: bool = False,
               ranker: PairRanker | None = None, countries: Mapping[str, Country] | None = None,
               reasons: bool = True) -> EventRanking:
    """Top-``k`` partners of every participant, with reasons, and the full pairwise score matrices."""
    if k < 1:
        raise InvalidInput("k must be at least 1", field="k")
    prep = event_state(event, state=state, encoder=encoder, ranker=ranker, countries=countries)
    st, rows = prep.state, prep.rows
    if st.ranker is None:
        raise InvalidInput("no ranker loaded: run `twinmatch train`", field="ranker")
    mask = pair_mask(event, st, rows, include_existing=include_existing,
                     include_same_country=include_same_country)
    a = st.arrays
    ps = event.participants
    n = len(ps)
    t1 = time.perf_counter()
    logits = np.full((n, n), np.nan, dtype=np.float32)
    tops: list[tuple[int, Query, Scored, np.ndarray, Listed]] = []  # (i, q, scored, cand positions, its top k)
    # Thousands of small mat-vecs: a multi-threaded BLAS spends more on waking its threads than on the
    # arithmetic (2 OpenBLAS threads on 2 busy cores made each 0.4-2 ms instead of 0.05 ms).
    with threadpool_limits(1, user_api="blas"):
        pending: list[tuple[int, Query, np.ndarray]] = []
        size = 0

        def flush() -> None:
            # The kernel's batched path: one ranker call for many queries.
            for (i, q, cand_pos), sc in zip(pending, score_many(st, [(q, rows[c]) for _, q, c in pending])):
                logits[i, cand_pos] = calibrated(st, sc)  # on the calibrated scale: ``prob`` is P(partners)
                tops.append((i, q, sc, cand_pos, listed(st, sc, k)))  # stable: equal scores keep file order
            pending.clear()

        for i in range(n):
            cand_pos = np.flatnonzero(mask[i])
            if len(cand_pos) == 0:
                continue
            pending.append((i, query_from_row(a, int(rows[i])), cand_pos))
            size += len(cand_pos)
            if size >= BATCH_ROWS:
                flush()
                size = 0
        flush()
    t2 = time.perf_counter()
    # NaN stays NaN: pairs that are not scored; the display map as in every list
    prob = probability(st.ranker.display_logit(logits), dtype=np.float32)
    mutual = np.sqrt(prob * prob.T)
    per: list[tuple[RankedPartner, ...]] = [()] * n
    with threadpool_limits(1, user_api="blas"):
        for i, q, sc, cand_pos, shown in tops:
            top = shown.positions
            why = explain(st, q, ps[i].profile, sc, top) if reasons else [()] * len(top)
            scores = shown.scores
            per[i] = tuple(
                RankedPartner(rank=m + 1, partner_id=ps[j].id, partner_name=ps[j].name, score=round(float(scores[m]), 4),
                              mutual=round(float(mutual[i, j]), 4), reasons=why[m])
                for m, j in enumerate(cand_pos[top].tolist()))
    t3 = time.perf_counter()
    return EventRanking(
        ids=event.ids, names=tuple(p.name for p in ps), rankings=tuple(per), probability=prob, mutual=mutual,
        timings={"embed": prep.embed_seconds, "arrays": prep.arrays_seconds, "score": t2 - t1, "reasons": t3 - t2},
        texts_encoded=prep.texts_encoded, catalogue_participants=sum(p.catalogue_id is not None for p in ps),
    )


def pair_reasons(event: Event, partners: Mapping[str, Sequence[str]], *, state: MatchState | None,
                 encoder: Encoder | None, ranker: PairRanker | None = None,
                 countries: Mapping[str, Country] | None = None) -> dict[tuple[str, str], tuple[Reason, ...]]:
    """``(participant, partner) -> reasons`` for the given partners of each participant, as the participant
    reads them (its query, the ranker's exact contributions): the reasons of the meetings a schedule
    placed, whether or not the partner is in the participant's top k. Unknown ids are skipped."""
    wanted = {i: [event.index[x] for x in xs if x in event.index and x != pid]
              for pid, xs in partners.items() if (i := event.index.get(pid)) is not None}
    wanted = {i: js for i, js in wanted.items() if js}
    if not wanted:
        return {}
    prep = event_state(event, state=state, encoder=encoder, ranker=ranker, countries=countries)
    st, rows = prep.state, prep.rows
    if st.ranker is None:
        raise InvalidInput("no ranker loaded: run `twinmatch train`", field="ranker")
    ps = event.participants
    items = [(i, query_from_row(st.arrays, int(rows[i])), np.array(js, dtype=np.int64)) for i, js in wanted.items()]
    out: dict[tuple[str, str], tuple[Reason, ...]] = {}
    with threadpool_limits(1, user_api="blas"):
        for (i, q, js), sc in zip(items, score_many(st, [(q, rows[js]) for _, q, js in items])):
            for j, why in zip(js.tolist(), explain(st, q, ps[i].profile, sc, np.arange(len(js)))):
                out[(ps[i].id, ps[j].id)] = why
    return out


__all__ = [
    "EventRanking",
    "Prepared",
    "RankedPartner",
    "encode_once",
    "event_state",
    "pair_mask",
    "pair_reasons",
    "put_profiles",
    "rank_event",
]
