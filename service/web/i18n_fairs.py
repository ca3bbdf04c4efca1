"""The fair pages' words (``service.web.i18n`` merges them into ``MESSAGES``): the participant file's format,
the upload form, and every error of a file said in the page's language.

The core reports a bad file with a ``key`` and ``params`` (``matcher.errors.RowError``, ``MatcherError``);
``row_error`` and ``file_error`` turn them into sentences here. An error without a known key (a new one)
falls back to its English reason rather than to nothing.
"""

from __future__ import annotations

from matcher.errors import MatcherError, RowError
from matcher.explain.quantities import integer

FAIR_MESSAGES: dict[str, dict[str, str]] = {
    "events.only": {"fr": "Cette page est réservée aux organisateurs de rencontres et à l'équipe CNCD.",
                    "en": "This page is for fair organisers and CNCD staff."},
    "events.name": {"fr": "Nom de la rencontre", "en": "Name of the fair"},
    "events.name_hint": {"fr": "Par exemple : Assises Afrique 2026. Laissé vide, le nom du fichier est repris.",
                         "en": "For example: Africa Forum 2026. Left empty, the file's name is used."},
    "events.mine": {"fr": "Mes rencontres", "en": "My fairs"},
    "events.all": {"fr": "Toutes les rencontres", "en": "All fairs"},
    "events.none": {"fr": "Aucune rencontre pour l'instant : téléversez un fichier de participants ci-dessous.",
                    "en": "No fair yet: upload a participants file below."},
    "events.created": {"fr": "créée le {date}", "en": "created on {date}"},
    "events.count": {"fr": "{n} participants", "en": "{n} participants"},
    "events.new": {"fr": "Nouvelle rencontre", "en": "New fair"},
    "events.size_limit": {"fr": "Taille maximale du fichier : {size} ; au plus {n} participants.",
                          "en": "Largest file: {size}; at most {n} participants."},
    "events.format": {"fr": "Format du fichier des participants", "en": "The participants file"},
    "events.format_lead": {
        "fr": "Une ligne par participant, une colonne par information ; seuls le nom et le pays sont obligatoires. "
              "Les noms de colonnes français ou anglais sont acceptés, majuscules et accents indifférents. "
              "Les listes se séparent par « ; ».",
        "en": "One row per participant, one column per item; only the name and the country are required. "
              "French or English column names are accepted, whatever the case and accents. Lists are "
              "separated by “;”."},
    "events.templates": {"fr": "Modèles à remplir :", "en": "Templates to fill in:"},
    "events.template_csv": {"fr": "modèle CSV (Excel en français)", "en": "CSV template"},
    "events.template_xlsx": {"fr": "modèle Excel (XLSX)", "en": "Excel template (XLSX)"},
    "events.col.fr": {"fr": "Colonne (français)", "en": "Column (French)"},
    "events.col.en": {"fr": "Colonne (anglais)", "en": "Column (English)"},
    "events.col.what": {"fr": "Contenu", "en": "What it holds"},
    "events.col.id": {"fr": "Identifiant libre du participant (repris par « doit_rencontrer » et « éviter »), "
                            "ou identifiant du catalogue", "en": "The participant's own id (used by must_meet and "
                                                                 "avoid), or a catalogue id"},
    "events.col.name": {"fr": "Nom de la collectivité (obligatoire)", "en": "Name of the authority (required)"},
    "events.col.country": {"fr": "Pays : nom français ou anglais, ou code ISO (SN) (obligatoire)",
                           "en": "Country: English or French name, or ISO code (SN) (required)"},
    "events.col.kind": {"fr": "commune, intercommunalité, département, région, province…",
                        "en": "commune, municipality, intercommunality, department, region, province…"},
    "events.col.population": {"fr": "Nombre d'habitants", "en": "Number of inhabitants"},
    "events.col.lat": {"fr": "Latitude en degrés décimaux", "en": "Latitude in decimal degrees"},
    "events.col.lon": {"fr": "Longitude en degrés décimaux", "en": "Longitude in decimal degrees"},
    "events.col.languages": {"fr": "Langues parlées, codes ISO 639-1 (fr; wo)",
                             "en": "Languages spoken, ISO 639-1 codes (fr; wo)"},
    "events.col.expertise": {"fr": "Ce que la collectivité sait faire et propose (texte libre, toute langue)",
                             "en": "What the authority is good at and offers (free text, any language)"},
    "events.col.needs": {"fr": "Ce qu'elle cherche (texte libre, toute langue)",
                         "en": "What it is looking for (free text, any language)"},
    "events.col.description": {"fr": "Présentation libre", "en": "Free description"},
    "events.col.themes": {"fr": "Thèmes (codes ou libellés)", "en": "Themes (codes or labels)"},
    "events.col.side": {"fr": "Groupe (par exemple france / partenaire) : seules les paires entre groupes se "
                              "rencontrent", "en": "Group (e.g. france / partner): only pairs across groups meet"},
    "events.col.must_meet": {"fr": "Identifiants des participants à rencontrer absolument",
                             "en": "Ids of participants it must meet"},
    "events.col.would_like": {"fr": "Identifiants des participants qu'il aimerait rencontrer (placés avant les autres)",
                              "en": "Ids of participants it would like to meet (placed before the others)"},
    "events.col.avoid": {"fr": "Identifiants des participants à ne pas rencontrer",
                         "en": "Ids of participants it must not meet"},
    "events.col.max_meetings": {"fr": "Nombre maximal de rendez-vous", "en": "Largest number of meetings"},
    "events.unit.line": {"fr": "ligne", "en": "line"},
    "events.unit.item": {"fr": "élément", "en": "item"},
    "events.where": {"fr": "{unit} {line}, colonne « {column} » : {reason}",
                     "en": "{unit} {line}, column “{column}”: {reason}"},
    "events.where_row": {"fr": "{unit} {line} : {reason}", "en": "{unit} {line}: {reason}"},
    "events.sched.round": {"fr": "tour", "en": "round"},
    "events.sched.participant_a": {"fr": "identifiant A", "en": "participant A id"},
    "events.sched.participant_b": {"fr": "identifiant B", "en": "participant B id"},
    "events.sched.score": {"fr": "score", "en": "score"},
    "events.sched.must_meet": {"fr": "à rencontrer absolument", "en": "must meet"},
    "events.sched.table": {"fr": "table", "en": "table"},
    "events.sched.name_a": {"fr": "participant A", "en": "participant A"},
    "events.sched.name_b": {"fr": "participant B", "en": "participant B"},
    "events.sched.start": {"fr": "début", "en": "start"},
    "events.sched.end": {"fr": "fin", "en": "end"},
    "events.download_csv": {"fr": "CSV (Excel)", "en": "CSV"},
    # the shortlist's filters and downloads (service.web.pages)
    "match.country_names": {"fr": "Pays (noms ou codes ISO, séparés par des virgules)",
                            "en": "Countries (names or ISO codes, separated by commas)"},
    "match.bad_country": {"fr": "Pays inconnu : « {value} ». Écrivez son nom (Sénégal) ou son code ISO (SN).",
                          "en": "Unknown country: “{value}”. Write its name (Senegal) or ISO code (SN)."},
    "match.form_error": {"fr": "Ces critères n'ont pas pu être appliqués :", "en": "These criteria could not be applied:"},
    "sl.rank": {"fr": "rang", "en": "rank"},
    "sl.id": {"fr": "identifiant", "en": "id"},
    "sl.name": {"fr": "nom", "en": "name"},
    "sl.country": {"fr": "pays", "en": "country"},
    "sl.kind": {"fr": "type", "en": "kind"},
    "sl.level": {"fr": "niveau", "en": "level"},
    "sl.population": {"fr": "population", "en": "population"},
    "sl.score": {"fr": "probabilité", "en": "probability"},
    "sl.match_score": {"fr": "score sur 100", "en": "score out of 100"},
    "sl.reasons": {"fr": "raisons", "en": "reasons"},
    # row errors (matcher.events.participants)
    "events.err.unknown_column": {"fr": "colonne inconnue (vouliez-vous dire « {suggestion} » ?)",
                                  "en": "unknown column (did you mean “{suggestion}”?)"},
    "events.err.missing_column": {"fr": "colonne obligatoire absente", "en": "required column is missing"},
    "events.err.no_participants": {"fr": "le fichier ne contient aucun participant", "en": "the file has no participants"},
    "events.err.not_object": {"fr": "ce n'est pas un objet JSON", "en": "not an object"},
    "events.err.id_semicolon": {"fr": "un identifiant ne peut pas contenir « ; » (il sépare les listes)",
                                "en": "an id cannot contain “;” (lists use it)"},
    "events.err.nul_character": {"fr": "la cellule contient un caractère nul (\\x00)",
                                 "en": "the cell contains a NUL character (\\x00)"},
    "events.err.cell_too_long": {"fr": "la cellule compte {length} caractères : {limit} au plus",
                                 "en": "the cell has {length} characters: at most {limit}"},
    "events.err.required": {"fr": "valeur obligatoire", "en": "a value is required"},
    "events.err.unknown_country": {"fr": "pays inconnu : « {value} »", "en": "unknown country “{value}”"},
    "events.err.country_not_listed": {"fr": "le pays {value} n'est pas dans la liste des pays du catalogue",
                                      "en": "country {value} is not in the catalogue's country list"},
    "events.err.unknown_kind": {"fr": "type inconnu : « {value} » (commune, intercommunalité, département, "
                                      "province ou région)",
                                "en": "unknown kind “{value}” (commune, municipality, intercommunality, "
                                      "department, province or region)"},
    "events.err.not_number": {"fr": "ce n'est pas un nombre : « {value} »", "en": "not a number: “{value}”"},
    "events.err.not_whole_number": {"fr": "ce n'est pas un nombre entier : « {value} »",
                                    "en": "not a whole number: “{value}”"},
    "events.err.out_of_range": {"fr": "{value} est hors des bornes ({low} à {high})",
                                "en": "{value} is out of range ({low} to {high})"},
    "events.err.lat_lon_pair": {"fr": "latitude et longitude vont ensemble : l'une des deux manque",
                                "en": "lat and lon go together: one is missing"},
    "events.err.bad_language": {"fr": "« {value} » n'est pas un code de langue ISO 639-1 comme fr, en, es",
                                "en": "“{value}” is not an ISO 639-1 code such as fr, en, es"},
    "events.err.bad_theme": {"fr": "thème inconnu (codes ou libellés de la liste des thèmes)",
                             "en": "unknown theme (codes or labels of the theme list)"},
    "events.err.duplicate_id": {"fr": "identifiant « {value} » en double (déjà {unit} {first})",
                                "en": "duplicate id “{value}” (first on {unit} {first})"},
    "events.err.side_missing": {"fr": "groupe vide ici mais donné sur d'autres lignes (par exemple {unit} {example})",
                                "en": "side is empty here but given on other rows (e.g. {unit} {example})"},
    "events.err.one_side": {"fr": "toutes les lignes ont le groupe « {value} » : il en faut au moins deux",
                            "en": "every row has side “{value}”: two sides at least are needed"},
    "events.err.unknown_participant": {"fr": "identifiant de participant inconnu : « {value} »",
                                       "en": "unknown participant id “{value}”"},
    "events.err.self_reference": {"fr": "un participant ne peut pas se citer lui-même",
                                  "en": "a participant cannot list itself"},
    "events.err.same_side": {"fr": "« {value} » est dans le même groupe (« {side} ») : seules les paires entre "
                                   "groupes se rencontrent",
                             "en": "“{value}” is on the same side (“{side}”): only pairs across sides meet"},
    "events.err.must_and_avoid": {"fr": "la paire « {a} » – « {b} » est à la fois à rencontrer ({unit} {must}) et "
                                        "à éviter ({unit} {avoid})",
                                  "en": "the pair “{a}” – “{b}” is both must-meet ({unit} {must}) and avoid "
                                        "({unit} {avoid})"},
    "events.err.same_authority": {"fr": "même collectivité du catalogue ({name}) qu'en {unit} {first} ; si ce "
                                        "sont deux participants distincts, donnez un identifiant ou des coordonnées",
                                  "en": "same catalogue authority ({name}) as {unit} {first}; if they differ, "
                                        "give an id or lat/lon"},
    "events.err.country_differs": {"fr": "le pays {value} diffère de celui de la fiche {id} du catalogue ({expected})",
                                   "en": "country {value} differs from catalogue authority {id}'s country "
                                         "({expected})"},
    # file errors (matcher.events.readers, service.routes.events)
    "events.file.not_xlsx": {"fr": "Ce fichier n'est pas un classeur Excel valide : enregistrez-le au format .xlsx "
                                   "depuis votre tableur, ou envoyez-le en CSV.",
                             "en": "This file is not a valid Excel workbook: save it as .xlsx from your "
                                   "spreadsheet, or send it as CSV."},
    "events.file.not_json": {"fr": "Ce fichier n'est pas une liste JSON de participants.",
                             "en": "This file is not a JSON list of participants."},
    "events.file.unsupported_file": {"fr": "Format de fichier non pris en charge : envoyez un fichier .csv, .xlsx "
                                           "ou .json.",
                                     "en": "Unsupported file type: send a .csv, .xlsx or .json file."},
    "events.file.empty_file": {"fr": "Le fichier envoyé est vide.", "en": "The file sent is empty."},
    "events.file.too_many_participants": {"fr": "Trop de participants : au plus {limit} par rencontre.",
                                          "en": "Too many participants: at most {limit} per fair."},
    "events.file.xlsx_too_big": {"fr": "Ce classeur est trop volumineux une fois décompressé ; envoyez-le en CSV.",
                                 "en": "This workbook is too large once unpacked; send it as CSV."},
    "events.file.spreadsheet_crashed": {"fr": "Ce classeur n'a pas pu être lu ; vérifiez-le ou envoyez-le en CSV.",
                                        "en": "This workbook could not be read; check it or send it as CSV."},
    "events.file.too_big": {"fr": "Ce fichier dépasse la taille maximale de {size} : réduisez-le (par exemple en "
                                  "retirant les colonnes inutiles) ou découpez-le.",
                            "en": "This file is larger than the limit of {size}: make it smaller (e.g. drop the "
                                  "columns not needed) or split it."},
    "events.file.name_too_long": {"fr": "Le nom de la rencontre est trop long (200 caractères au plus).",
                                  "en": "The fair's name is too long (200 characters at most)."},
    "events.file.other": {"fr": "Ce fichier n'a pas pu être lu.", "en": "This file could not be read."},
    # the organiser's timing, locks and wish links (service.web.fairs)
    "events.options": {"fr": "Horaires", "en": "Timing"},
    "events.slot_minutes": {"fr": "Durée d'un rendez-vous (minutes)", "en": "Meeting length (minutes)"},
    "events.break_minutes": {"fr": "Pause entre deux rendez-vous (minutes)", "en": "Break between meetings (minutes)"},
    "events.pause_after": {"fr": "Pause longue après le tour", "en": "Longer pause after round"},
    "events.pause_minutes": {"fr": "Durée de la pause longue (minutes)", "en": "Length of the longer pause (minutes)"},
    "events.start_hint": {"fr": "Par exemple 2026-12-01T09:00. Laissé vide : des tours sans horaires.",
                          "en": "For example 2026-12-01T09:00. Left empty: rounds without times."},
    "events.save_options": {"fr": "Enregistrer les horaires", "en": "Save the timing"},
    "events.replan_lead": {"fr": "Le planning tient compte des souhaits reçus. Cochez les rendez-vous à garder à "
                                 "leur tour et à leur table : les autres sont replanifiés autour d'eux.",
                           "en": "The schedule takes the wishes received into account. Tick the meetings to keep "
                                 "at their round and table: the others are planned again around them."},
    "events.replan": {"fr": "Garder les rendez-vous cochés et replanifier le reste",
                      "en": "Keep the ticked meetings and plan the rest again"},
    "events.keep": {"fr": "Garder", "en": "Keep"},
    "events.keep_label": {"fr": "Garder le rendez-vous {a} – {b} (tour {r}, table {t})",
                          "en": "Keep the meeting {a} – {b} (round {r}, table {t})"},
    "events.unmet": {"fr": "Rendez-vous demandés qui n'ont pas pu être placés :",
                     "en": "Requested meetings that could not be placed:"},
    "events.released": {"fr": "Ces rendez-vous gardés ne pouvaient plus tenir (tour supprimé, participant ou table "
                                "déjà pris, ou « non merci » reçu) : ils ont été replanifiés avec les autres.",
                          "en": "These kept meetings could no longer hold (round removed, participant or table "
                                "taken, or a “no thanks” received): they were planned again with the others."},
    "events.links": {"fr": "Liens des souhaits", "en": "Wish links"},
    "events.links_lead": {"fr": "Envoyez à chaque participant son lien : il y indique qui il doit rencontrer, "
                                "aimerait rencontrer ou ne souhaite pas rencontrer, sans créer de compte.",
                          "en": "Send each participant its own link: there it says whom it must meet, would like "
                                "to meet or would rather not meet, without an account."},
    "events.answered": {"fr": "a répondu le {date}", "en": "answered on {date}"},
    "events.not_answered": {"fr": "pas encore répondu", "en": "not answered yet"},
    "events.opt.rounds": {"fr": "Le nombre de tours doit être un nombre entier de 1 à 20.",
                          "en": "The number of rounds must be a whole number from 1 to 20."},
    "events.opt.start": {"fr": "L'heure de début doit être une date et une heure, par exemple 2026-12-01T09:00.",
                         "en": "The start must be a date and time, for example 2026-12-01T09:00."},
    "events.opt.slot_minutes": {"fr": "La durée d'un rendez-vous doit être un nombre entier de minutes, de 1 à 600.",
                                "en": "A meeting's length must be a whole number of minutes, from 1 to 600."},
    "events.opt.break_minutes": {"fr": "La pause entre deux rendez-vous doit être un nombre entier de minutes, "
                                       "de 0 à 600.",
                                 "en": "The break between meetings must be a whole number of minutes, from 0 "
                                       "to 600."},
    "events.opt.pause_after": {"fr": "La pause longue doit venir après un tour qui n'est pas le dernier.",
                               "en": "The longer pause must come after a round that is not the last."},
    "events.opt.pause_minutes": {"fr": "La pause longue doit durer de 0 à 600 minutes.",
                                 "en": "The longer pause must last from 0 to 600 minutes."},
    # a participant's own wishes page (service.web.fair_wishes)
    "wishes.title": {"fr": "Vos souhaits de rendez-vous", "en": "Your meeting wishes"},
    "wishes.lead": {"fr": "{name} : pour chaque participant de « {event} », dites si vous devez le rencontrer, "
                          "aimeriez le rencontrer ou préférez ne pas le rencontrer. Sans choix, l'organisateur "
                          "planifie selon la proximité des profils.",
                    "en": "{name}: for each participant of “{event}”, say whether you must meet them, would like "
                          "to meet them or would rather not. Without a choice, the organiser plans by how close "
                          "the profiles are."},
    "wishes.must": {"fr": "Doit rencontrer", "en": "Must meet"},
    "wishes.like": {"fr": "Aimerait rencontrer", "en": "Would like to meet"},
    "wishes.none": {"fr": "Sans préférence", "en": "No preference"},
    "wishes.no": {"fr": "Non merci", "en": "No thanks"},
    "wishes.save": {"fr": "Enregistrer mes souhaits", "en": "Save my wishes"},
    "wishes.saved": {"fr": "Merci : vos souhaits sont enregistrés et comptent pour le planning. Ce même lien "
                           "permet de les modifier.",
                     "en": "Thank you: your wishes are saved and count for the schedule. This same link lets you "
                           "change them."},
    "wishes.nobody": {"fr": "Aucun autre participant ne peut vous être proposé.",
                      "en": "No other participant can be offered to you."},
}


def _t(key: str, lang: str, **fields: object) -> str:
    return FAIR_MESSAGES[key][lang].format(**fields)


def row_error(e: RowError, lang: str) -> str:
    """One bad row, said in ``lang``: where (line or JSON item, column) and what."""
    unit_key = "item" if type(e).__name__ == "ItemError" else "line"
    unit = _t(f"events.unit.{unit_key}", lang)
    params = {k: (_t(f"events.unit.{v}", lang) if k == "unit" and v in ("line", "item")
                  else integer(v, lang) if isinstance(v, int) else v) for k, v in e.params.items()}
    key = f"events.err.{e.key}"
    reason = _t(key, lang, **params) if e.key and key in FAIR_MESSAGES else e.reason
    if e.column:
        return _t("events.where", lang, unit=unit.capitalize(), line=e.line, column=e.column, reason=reason)
    return _t("events.where_row", lang, unit=unit.capitalize(), line=e.line, reason=reason)


def file_error(exc: MatcherError, lang: str) -> str:
    """A whole-file error (not a workbook, too many participants…), said in ``lang``."""
    key = f"events.file.{exc.key}"
    if exc.key and key in FAIR_MESSAGES:
        params = {k: integer(v, lang) if isinstance(v, int) else v for k, v in exc.params.items()}
        return _t(key, lang, **params)
    return _t("events.file.other", lang)


def option_error(exc: MatcherError, lang: str) -> str:
    """A bad timing value (``matcher.events.options.timing``), said in ``lang`` by its field."""
    key = f"events.opt.{exc.field}"
    return _t(key, lang) if key in FAIR_MESSAGES else _t("events.opt.start", lang)


def size_text(n_bytes: int, lang: str) -> str:
    """1048576 -> "1 Mo" / "1 MB" (binary megabytes, as the limit is set)."""
    mib = n_bytes / (1024 * 1024)
    digits = 0 if mib >= 10 or mib.is_integer() else 1
    from matcher.explain.quantities import number

    return f"{number(mib, lang, digits)}\u00a0{'Mo' if lang == 'fr' else 'MB'}"


__all__ = ["FAIR_MESSAGES", "file_error", "option_error", "row_error", "size_text"]
