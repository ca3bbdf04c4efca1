"""The web app's words, French first, English one click away.

``MESSAGES`` holds every label a page shows, per language; ``kind_label`` / ``level_label`` name the kinds
and levels of the domain; numbers and plurals go through ``matcher.explain.quantities`` (babel), country names through
the catalogue's country table. A missing key is an error at test time (``tests/test_web_pages.py`` renders
every page in both languages), never an English word in a French page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from babel.dates import format_date
from fastapi import Request

from matcher.domain import Kind, Level
from matcher.explain.quantities import band_label, integer
from matcher.explain.wording import cap
from matcher.geo import FRENCH_SPEAKING_DEFINITION
from matcher.ranking.score_scale import match_score, one_in, score_probability
from service.lang import LANGS, Lang
from service.web.i18n_fairs import FAIR_MESSAGES
from service.web.i18n_funding import FUNDING_MESSAGES

LANG_COOKIE = "twinmatch_lang"

MESSAGES: dict[str, dict[Lang, str]] = {
    "site": {"fr": "twinmatch — partenaires de coopération décentralisée",
             "en": "twinmatch — partners for decentralised cooperation"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "nav.home": {"fr": "Accueil", "en": "Home"},
    "nav.signin": {"fr": "Se connecter", "en": "Sign in"},
    "nav.signout": {"fr": "Se déconnecter", "en": "Sign out"},
    "nav.profile": {"fr": "Mon profil", "en": "My profile"},
    "nav.inbox": {"fr": "Messages", "en": "Messages"},
    "nav.register": {"fr": "Inscrire ma collectivité", "en": "Register my authority"},
    "nav.staff": {"fr": "Espace CNCD", "en": "CNCD staff"},
    "nav.events": {"fr": "Rencontres", "en": "Fairs"},
    "nav.docs": {"fr": "API", "en": "API"},
    "nav.lang": {"fr": "English", "en": "Français"},
    "home.title": {"fr": "Trouver une collectivité partenaire", "en": "Find a partner authority"},
    "home.lead": {"fr": "Jumelages, projets de développement, échanges techniques : cherchez votre collectivité, "
                        "puis découvrez les partenaires qui ont besoin de ce que vous savez faire, et "
                        "inversement, avec les raisons de chaque proposition.",
                  "en": "Twinning, development projects, technical exchanges: look up your authority, then "
                        "see the partners who need what you are good at, and the other way round, with the "
                        "reasons for every suggestion."},
    "search.label": {"fr": "Nom d'une collectivité", "en": "Name of an authority"},
    "search.hint": {"fr": "Par exemple : Rennes, Bretagne, Alger, Saint-Louis. Accents et majuscules "
                          "indifférents.",
                    "en": "For example: Rennes, Brittany, Algiers, Saint-Louis. Accents and case do not matter."},
    "search.submit": {"fr": "Rechercher", "en": "Search"},
    "search.results": {"fr": "Résultats pour « {q} »", "en": "Results for “{q}”"},
    "search.none": {"fr": "Aucune collectivité ne porte ce nom.", "en": "No authority has that name."},
    "search.more": {"fr": "Résultats suivants", "en": "More results"},
    "auth.kind": {"fr": "Type", "en": "Kind"},
    "auth.level": {"fr": "Niveau", "en": "Level"},
    "auth.country": {"fr": "Pays", "en": "Country"},
    "auth.population": {"fr": "Population", "en": "Population"},
    "auth.population.unknown": {"fr": "inconnue", "en": "unknown"},
    "auth.inhabitants": {"fr": "{n} habitants", "en": "{n} inhabitants"},
    "auth.parents": {"fr": "Fait partie de", "en": "Part of"},
    "auth.languages": {"fr": "Langues", "en": "Languages"},
    "auth.description": {"fr": "Présentation", "en": "About"},
    "auth.expertise": {"fr": "Savoir-faire", "en": "Expertise"},
    # Texts that come from public pages about a cooperation (data/cooperation/), with their sources.
    "auth.from_pages": {"fr": "D'après des pages publiques sur ses coopérations : ",
                        "en": "From public pages about its cooperations: "},
    "auth.year": {"fr": "coopération depuis", "en": "cooperation since"},
    "auth.needs": {"fr": "Besoins", "en": "Needs"},
    "auth.themes": {"fr": "Thèmes", "en": "Themes"},
    "auth.none": {"fr": "Non renseigné.", "en": "Not stated."},
    "auth.partners": {"fr": "Partenaires connus", "en": "Known partners"},
    "auth.partners.none": {"fr": "Aucun partenariat connu.", "en": "No known partnership."},
    "auth.map": {"fr": "Carte de {name} et de ses partenaires connus", "en": "Map of {name} and its known partners"},
    "auth.find": {"fr": "Trouver des partenaires", "en": "Find partners"},
    "auth.claim": {"fr": "C'est ma collectivité : demander à gérer cette fiche",
                   "en": "This is my authority: ask to manage this entry"},
    "status.pending": {"fr": "En attente de vérification par la CNCD : visible seulement par vous et l'équipe.",
                       "en": "Awaiting verification by CNCD staff: visible only to you and the staff."},
    "status.rejected": {"fr": "Refusée par la CNCD.", "en": "Rejected by CNCD staff."},
    "match.title": {"fr": "Partenaires proposés pour {name}", "en": "Suggested partners for {name}"},
    "match.filters": {"fr": "Affiner", "en": "Refine"},
    "match.continent": {"fr": "Continent", "en": "Continent"},
    "match.country": {"fr": "Pays (codes ISO, séparés par des virgules)",
                      "en": "Countries (ISO codes, comma-separated)"},
    "match.level": {"fr": "Niveau", "en": "Level"},
    "match.any": {"fr": "Tous", "en": "Any"},
    "match.min_population": {"fr": "Population minimale", "en": "Minimum population"},
    "match.max_population": {"fr": "Population maximale", "en": "Maximum population"},
    "match.themes": {"fr": "Thèmes", "en": "Themes"},
    "match.francophone": {"fr": "Pays francophones seulement", "en": "French-speaking countries only"},
    "match.francophone_help": {"fr": FRENCH_SPEAKING_DEFINITION["fr"], "en": FRENCH_SPEAKING_DEFINITION["en"]},
    "match.diversity": {"fr": "Varier les pays", "en": "Spread over countries"},
    "match.bad_population": {"fr": "La population doit être un nombre entier d'habitants.",
                             "en": "The population must be a whole number of inhabitants."},
    "match.apply": {"fr": "Appliquer", "en": "Apply"},
    "match.score": {"fr": "Score", "en": "Score"},
    "match.score_of": {"fr": "Score {points}/100", "en": "Score {points}/100"},
    "match.one_in": {"fr": "environ 1 paire sur {n} ayant ce score était un vrai partenariat",
                     "en": "about 1 pair in {n} with this score was a real partnership"},
    "match.in_100": {"fr": "environ {k} paires sur 100 ayant ce score étaient de vrais partenariats",
                     "en": "about {k} pairs in 100 with this score were real partnerships"},
    "match.one_in_floor": {"fr": "au plus 1 paire sur 10 000 ayant ce score était un vrai partenariat",
                           "en": "at most 1 pair in 10,000 with this score was a real partnership"},
    "match.score_help": {"fr": "Le score (0 à 100) dit la chance que la paire devienne un partenariat, mesurée sur "
                               "des partenariats réels mis de côté : 75 = environ 1 paire sur 10, 50 = 1 sur 100, "
                               "25 = 1 sur 1 000. Les vrais partenariats sont rares : un score de 40 est déjà "
                               "une bonne piste.",
                         "en": "The score (0 to 100) gives the chance that the pair becomes a partnership, measured "
                               "on real partnerships held out: 75 = about 1 pair in 10, 50 = 1 in 100, 25 = 1 in "
                               "1,000. Real partnerships are rare: a score of 40 is already a good lead."},
    "match.why": {"fr": "Pourquoi", "en": "Why"},
    "match.map": {"fr": "Carte des partenaires proposés", "en": "Map of the suggested partners"},
    "match.download": {"fr": "Télécharger la liste", "en": "Download the list"},
    "match.interest": {"fr": "Manifester mon intérêt", "en": "Express interest"},
    "match.none": {"fr": "Aucun partenaire ne correspond à ces critères.", "en": "No partner meets these criteria."},
    "signin.title": {"fr": "Se connecter", "en": "Sign in"},
    "signin.key": {"fr": "Clé d'accès", "en": "Access key"},
    "signin.hint": {"fr": "La clé reçue à l'inscription ou transmise par la CNCD (elle commence par « tm_ »).",
                    "en": "The key you received on registration or from CNCD staff (it starts with “tm_”)."},
    "signin.bad": {"fr": "Cette clé n'est pas valable.", "en": "This key is not valid."},
    "profile.title": {"fr": "Mon profil : {name}", "en": "My profile: {name}"},
    "profile.save": {"fr": "Enregistrer", "en": "Save"},
    "profile.saved": {"fr": "Profil enregistré.", "en": "Profile saved."},
    "profile.expertise_text": {"fr": "Ce que nous savons faire", "en": "What we are good at"},
    "profile.needs_text": {"fr": "Ce que nous cherchons", "en": "What we are looking for"},
    "profile.place_help": {"fr": "Dites aussi où vous cherchez un partenaire (« une commune de la région de Kayes, "
                                 "au Mali ») : la liste en tient compte, comme d'un pays coché.",
                           "en": "Say where you look for a partner too (\"a town in the Kayes region, in Mali\"): "
                                 "the list takes it into account, as a ticked country."},
    "profile.themes_help": {"fr": "Cochez les thèmes qui vous concernent.", "en": "Tick the themes that apply."},
    "profile.types": {"fr": "Types de partenariat recherchés", "en": "Partnership types sought"},
    "profile.regions": {"fr": "Continents privilégiés", "en": "Preferred continents"},
    "profile.sizes": {"fr": "Taille des partenaires recherchés", "en": "Size of the partners sought"},
    "profile.countries": {"fr": "Pays privilégiés (codes ISO, séparés par des virgules)",
                          "en": "Preferred countries (ISO codes, comma-separated)"},
    "type.twinning": {"fr": "Jumelage", "en": "Twinning"},
    "type.development_cooperation": {"fr": "Coopération au développement", "en": "Development cooperation"},
    "type.technical_exchange": {"fr": "Échanges techniques", "en": "Technical exchanges"},
    "type.economic_promotion": {"fr": "Promotion économique", "en": "Economic promotion"},
    "type.culture_youth_exchange": {"fr": "Échanges culturels et de jeunes", "en": "Culture and youth exchanges"},
    "profile.shortlist": {"fr": "Mes partenaires proposés", "en": "My suggested partners"},
    "profile.staff": {"fr": "Vous êtes connecté avec une clé de l'équipe CNCD.",
                      "en": "You are signed in with a CNCD staff key."},
    "interest.title": {"fr": "Écrire à {name}", "en": "Write to {name}"},
    "interest.message": {"fr": "Votre message", "en": "Your message"},
    "interest.hint": {"fr": "La plateforme transmet votre message ; vos coordonnées et les siennes restent "
                            "privées.",
                      "en": "The platform relays your message; your contact details and theirs stay private."},
    "interest.send": {"fr": "Envoyer", "en": "Send"},
    "interest.sent": {"fr": "Message transmis à {name}.", "en": "Message relayed to {name}."},
    "interest.unverified": {"fr": "Votre profil n'est pas encore validé par l'équipe : vous pourrez écrire aux "
                                  "autres collectivités une fois qu'il l'aura été.",
                            "en": "Your profile has not been verified by the team yet: you can write to other "
                                  "authorities once it has been."},
    "inbox.title": {"fr": "Messages", "en": "Messages"},
    "inbox.received": {"fr": "Reçu de {name}", "en": "From {name}"},
    "inbox.sent": {"fr": "Envoyé à {name}", "en": "To {name}"},
    "inbox.reply": {"fr": "Répondre", "en": "Reply"},
    "inbox.none": {"fr": "Aucun message.", "en": "No messages."},
    "register.title": {"fr": "Inscrire ma collectivité", "en": "Register my authority"},
    "register.lead": {"fr": "Votre fiche restera en attente jusqu'à sa vérification par la CNCD. Si votre "
                            "collectivité figure déjà au catalogue, demandez plutôt à gérer sa fiche.",
                      "en": "Your entry stays pending until CNCD staff verify it. If your authority is already "
                            "in the catalogue, ask to manage its entry instead."},
    "register.name": {"fr": "Nom officiel", "en": "Official name"},
    "register.kind": {"fr": "Type de collectivité", "en": "Kind of authority"},
    "register.country": {"fr": "Pays", "en": "Country"},
    "register.lat": {"fr": "Latitude (facultatif)", "en": "Latitude (optional)"},
    "register.lon": {"fr": "Longitude (facultatif)", "en": "Longitude (optional)"},
    "register.population": {"fr": "Population (facultatif)", "en": "Population (optional)"},
    "register.email": {"fr": "Adresse officielle de contact (privée)", "en": "Official contact e-mail (private)"},
    "register.submit": {"fr": "Envoyer l'inscription", "en": "Send the registration"},
    "register.done": {"fr": "Inscription reçue : {name} est en attente de vérification.",
                      "en": "Registration received: {name} is waiting for verification."},
    "register.key": {"fr": "Votre clé d'accès, affichée une seule fois : conservez-la pour revenir.",
                     "en": "Your access key, shown only once: keep it to come back."},
    "claim.title": {"fr": "Gérer la fiche de {name}", "en": "Manage the entry of {name}"},
    "claim.lead": {"fr": "La CNCD vérifie votre demande auprès de la collectivité, puis envoie la clé d'accès à "
                         "l'adresse officielle indiquée. Ces informations restent privées.",
                   "en": "CNCD staff check your request with the authority, then send the access key to the "
                         "official e-mail given. These details stay private."},
    "claim.name": {"fr": "Votre nom", "en": "Your name"},
    "claim.role": {"fr": "Votre fonction", "en": "Your role"},
    "claim.email": {"fr": "Adresse électronique officielle", "en": "Official e-mail"},
    "claim.message": {"fr": "Message (facultatif)", "en": "Message (optional)"},
    "claim.submit": {"fr": "Envoyer la demande", "en": "Send the request"},
    "claim.sent": {"fr": "Demande n° {id} reçue : elle est en attente de vérification.",
                   "en": "Request no. {id} received: it is waiting for verification."},
    "staff.suggestions": {"fr": "Rapprochements proposés", "en": "Suggested pairings"},
    "staff.decided": {"fr": "Décision enregistrée.", "en": "Decision recorded."},
    "staff.region": {"fr": "Région française", "en": "French region"},
    "staff.partner_country": {"fr": "Pays du partenaire (code ISO)", "en": "Partner country (ISO code)"},
    "staff.partial": {"fr": "Liste en cours de calcul : {done} collectivités sur {total} examinées ; rechargez "
                            "pour la compléter.",
                      "en": "List still being computed: {done} of {total} authorities considered; reload to "
                            "extend it."},
    "staff.proposed": {"fr": "Proposé", "en": "Proposed"},
    "staff.contacted": {"fr": "Contacté", "en": "Contacted"},
    "staff.accepted": {"fr": "Accepté", "en": "Accepted"},
    "staff.rejected": {"fr": "Écarté", "en": "Rejected"},
    "staff.by": {"fr": "Par", "en": "By"},
    "staff.status": {"fr": "Statut", "en": "Status"},
    "staff.authority_id": {"fr": "Identifiant de la collectivité", "en": "Authority id"},
    "audit.profile.verified": {"fr": "profil validé", "en": "profile verified"},
    "audit.profile.rejected": {"fr": "profil refusé", "en": "profile rejected"},
    "audit.profile.pending": {"fr": "profil remis en attente", "en": "profile back to pending"},
    "audit.claim.created": {"fr": "demande de gestion reçue", "en": "claim received"},
    "audit.claim.approved": {"fr": "demande de gestion acceptée", "en": "claim approved"},
    "audit.claim.rejected": {"fr": "demande de gestion refusée", "en": "claim rejected"},
    "staff.title": {"fr": "Espace CNCD", "en": "CNCD staff"},
    "staff.verifications": {"fr": "Profils à vérifier", "en": "Profiles to verify"},
    "staff.verifications.none": {"fr": "Aucun profil en attente.", "en": "No pending profile."},
    "staff.claims": {"fr": "Demandes de gestion d'une fiche", "en": "Requests to manage an entry"},
    "staff.key_once": {"fr": "Clé du propriétaire, affichée une seule fois : transmettez-la à l'adresse officielle "
                             "de la demande.",
                       "en": "The owner key, shown once: pass it on to the official e-mail of the claim."},
    "staff.approve": {"fr": "Valider", "en": "Approve"},
    "staff.reject": {"fr": "Refuser", "en": "Reject"},
    "staff.note": {"fr": "Note", "en": "Note"},
    "staff.done": {"fr": "Décision enregistrée pour {name}.", "en": "Decision recorded for {name}."},
    "staff.audit": {"fr": "Journal", "en": "Audit trail"},
    "staff.only": {"fr": "Cette page est réservée à l'équipe CNCD.", "en": "This page is for CNCD staff."},
    "events.title": {"fr": "Rencontres de partenariat", "en": "Partnership fairs"},
    "events.upload": {"fr": "Fichier des participants (CSV, XLSX ou JSON)",
                      "en": "Participants file (CSV, XLSX or JSON)"},
    "events.submit": {"fr": "Téléverser", "en": "Upload"},
    "events.errors": {"fr": "Le fichier contient des erreurs :", "en": "The file has errors:"},
    "events.line": {"fr": "ligne {line}, colonne « {column} » : {reason}",
                    "en": "line {line}, column “{column}”: {reason}"},
    "events.schedule": {"fr": "Planning des rendez-vous", "en": "Meeting schedule"},
    "events.round": {"fr": "Tour {n}", "en": "Round {n}"},
    "events.table": {"fr": "Table", "en": "Table"},
    "events.rounds": {"fr": "Nombre de tours", "en": "Number of rounds"},
    "events.start": {"fr": "Début (AAAA-MM-JJTHH:MM)", "en": "Start (YYYY-MM-DDTHH:MM)"},
    "events.ics": {"fr": "Agenda (ICS)", "en": "Calendar (ICS)"},
    "events.participants": {"fr": "Participants", "en": "Participants"},
    "form.invalid": {"fr": "La valeur du champ « {field} » n'est pas valable : corrigez-la et renvoyez le formulaire.",
                     "en": "The value of the field “{field}” is not valid: correct it and send the form again."},
    "form.detail": {"fr": "Détail technique", "en": "Technical detail"},
    "csrf": {"fr": "Le formulaire a expiré : rechargez la page et recommencez.",
             "en": "The form has expired: reload the page and try again."},
    "error.title": {"fr": "Erreur", "en": "Error"},
    "error.not_found": {"fr": "Page ou collectivité introuvable.", "en": "Page or authority not found."},
    "loading": {"fr": "Le service démarre ; réessayez dans quelques secondes.",
                "en": "The service is starting; try again in a few seconds."},
    # --- staff: decisions, journal, suggestions computed ahead; registration of a taken name (issue 24 K) ---
    "register.taken": {"fr": "Une collectivité de ce nom existe déjà dans le catalogue : {name} ({where}). Si c'est "
                             "la vôtre, demandez à gérer sa fiche plutôt que de l'inscrire une seconde fois.",
                       "en": "An authority of this name is already in the catalogue: {name} ({where}). If it is "
                             "yours, ask to manage its entry rather than registering it a second time."},
    "register.taken.many": {"fr": "Des collectivités de ce nom existent déjà dans le catalogue. Si l'une d'elles est "
                                  "la vôtre, demandez à gérer sa fiche plutôt que de l'inscrire une seconde fois :",
                            "en": "Authorities of this name are already in the catalogue. If one of them is yours, "
                                  "ask to manage its entry rather than registering it a second time:"},
    "register.taken.claim": {"fr": "Demander à gérer cette fiche", "en": "Ask to manage this entry"},
    "staff.refreshing": {"fr": "Des profils ont changé : la liste est en cours d'actualisation ; celle-ci date "
                               "d'avant ces modifications.",
                         "en": "Profiles have changed: the list is being updated; this one predates those "
                               "changes."},
    "staff.last_decision": {"fr": "Dernière décision", "en": "Latest decision"},
    "staff.decisions": {"fr": "Décisions", "en": "Decisions"},
    "staff.decisions.none": {"fr": "Aucune décision ne correspond à ces critères.",
                             "en": "No decision meets these criteria."},
    "staff.authority": {"fr": "Collectivité (nom ou identifiant)", "en": "Authority (name or id)"},
    "staff.since": {"fr": "Du", "en": "From"},
    "staff.until": {"fr": "Au", "en": "To"},
    "staff.date": {"fr": "Date (UTC)", "en": "Date (UTC)"},
    "staff.action": {"fr": "Action", "en": "Action"},
    "staff.subjects": {"fr": "Collectivités", "en": "Authorities"},
    "staff.french_side": {"fr": "Collectivité française", "en": "French authority"},
    "staff.partner": {"fr": "Partenaire", "en": "Partner"},
    "staff.partner_country_name": {"fr": "Pays du partenaire", "en": "Partner country"},
    "staff.id": {"fr": "Identifiant", "en": "Id"},
    "staff.partner_id": {"fr": "Identifiant du partenaire", "en": "Partner id"},
    "staff.download_csv": {"fr": "Télécharger (CSV pour tableur)", "en": "Download (CSV)"},
    "staff.journal.none": {"fr": "Aucune entrée ne correspond à ces critères.", "en": "No entry meets these criteria."},
    "staff.actor.anonymous": {"fr": "anonyme", "en": "anonymous"},
    "staff.actor.owner": {"fr": "la collectivité {name} (sa clé)", "en": "{name} itself (its key)"},
    "staff.decision.any": {"fr": "Toutes les décisions", "en": "All decisions"},
    "audit.profile.registered": {"fr": "inscription reçue", "en": "registration received"},
    "audit.decision.proposed": {"fr": "rapprochement : proposé", "en": "pairing: proposed"},
    "audit.decision.contacted": {"fr": "rapprochement : contacté", "en": "pairing: contacted"},
    "audit.decision.accepted": {"fr": "rapprochement : accepté", "en": "pairing: accepted"},
    "audit.decision.rejected": {"fr": "rapprochement : écarté", "en": "pairing: rejected"},
}

_KINDS: dict[Kind, tuple[str, str]] = {
    Kind.COMMUNE: ("commune", "commune"), Kind.INTERCOMMUNALITY: ("intercommunalité", "intercommunality"),
    Kind.DEPARTMENT: ("département", "department"), Kind.REGION: ("région", "region"),
    Kind.MUNICIPALITY: ("municipalité", "municipality"), Kind.PROVINCE: ("province", "province"),
    Kind.STATE: ("État fédéré", "state"), Kind.DISTRICT: ("district", "district"),
    Kind.COUNTY: ("comté", "county"), Kind.GOVERNORATE: ("gouvernorat", "governorate"),
    Kind.PREFECTURE: ("préfecture", "prefecture"),
}
_LEVELS: dict[Level, tuple[str, str]] = {
    Level.ADMIN1: ("premier niveau (région, province, État…)", "first level (region, province, state…)"),
    Level.ADMIN2: ("deuxième niveau (département, district…)", "second level (department, district…)"),
    Level.INTERCOMMUNAL: ("intercommunal", "intercommunal"),
    Level.TOWN: ("commune ou ville", "town or municipality"),
}
CONTINENTS: dict[str, tuple[str, str]] = {
    "AF": ("Afrique", "Africa"), "EU": ("Europe", "Europe"), "AS": ("Asie", "Asia"),
    "NA": ("Amérique du Nord", "North America"), "SA": ("Amérique du Sud", "South America"),
    "OC": ("Océanie", "Oceania"), "AN": ("Antarctique", "Antarctica"),
}


def translator(lang: Lang) -> Callable[..., str]:
    """``t("key", name=…)``: the label in ``lang`` with its fields filled (KeyError if missing)."""

    def t(key: str, **fields: object) -> str:
        text = MESSAGES[key][lang]
        return text.format(**fields) if fields else text

    return t


def kind_label(kind: str, lang: Lang) -> str:
    try:
        fr, en = _KINDS[Kind(kind)]
    except ValueError:
        return kind
    return fr if lang == "fr" else en


def kind_labels(lang: Lang) -> dict[str, str]:
    """Every kind's name in ``lang`` (the search suggestions label homonyms with it)."""
    return {k.value: kind_label(k.value, lang) for k in Kind}


def level_label(level: str, lang: Lang) -> str:
    try:
        fr, en = _LEVELS[Level(level)]
    except ValueError:
        return level
    return fr if lang == "fr" else en


def continent_label(code: str, lang: Lang) -> str:
    fr, en = CONTINENTS.get(code, (code, code))
    return fr if lang == "fr" else en


def size_label(band: str, lang: Lang) -> str:
    """A size band of the profile form: "Moins de 5 000 habitants" (the bounds of ``domain.SIZE_BOUNDS``)."""
    return cap(band_label(band, lang))


def inhabitants(n: int | None, lang: Lang) -> str:
    """"12 000 habitants" / "12,000 inhabitants"; unknown stays unknown (never a guess)."""
    if n is None:
        return MESSAGES["auth.population.unknown"][lang]
    return MESSAGES["auth.inhabitants"][lang].format(n=integer(n, lang))


def long_date(d: dt.date | None, lang: str) -> str:
    """"15 avril 2025" / "April 15, 2025" (babel); no date, no words."""
    return format_date(d, format="long", locale=lang) if d is not None else ""


def score_meaning(points: int, lang: Lang) -> str:
    """What a 0–100 match score means (``matcher.ranking.score_scale.one_in``), as a phrase in ``lang``."""
    if points <= 0:
        return MESSAGES["match.one_in_floor"][lang]
    n = int(one_in(points))
    if n < 10:  # above 1 in 10, a share of 100 reads better than "1 in 1.2"
        return MESSAGES["match.in_100"][lang].format(k=round(100 * float(score_probability(points))))
    return MESSAGES["match.one_in"][lang].format(n=integer(n, lang))


def score_points(p: float) -> int:
    """The 0–100 match score of a probability (``matcher.ranking.score_scale.match_score``), for templates."""
    return int(match_score(p))


def request_lang(request: Request) -> Lang:
    """``?lang=`` first (the language link), then the cookie it sets, else French."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    return "fr"


# The fair pages' words, kept in their own module (one block to merge): service.web.i18n_fairs.
MESSAGES.update({k: {"fr": v["fr"], "en": v["en"]} for k, v in FAIR_MESSAGES.items()})
MESSAGES.update({k: {"fr": v["fr"], "en": v["en"]} for k, v in FUNDING_MESSAGES.items()})
