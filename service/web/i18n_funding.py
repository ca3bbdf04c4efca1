"""The funding pages' words (merged into ``i18n.MESSAGES``)."""

from __future__ import annotations

FUNDING_MESSAGES: dict[str, dict[str, str]] = {
    "fund.panel": {"fr": "Financer ce partenariat", "en": "Fund this partnership"},
    "fund.glance.count": {"fr": "éligible et ouvert ou à venir : {n}", "en": "eligible and open or upcoming: {n}"},
    "fund.glance.mine": {"fr": "Pour {name} :", "en": "For {name}:"},
    "fund.glance.rate": {"fr": "cofinancement jusqu'à {pct} %", "en": "co-financing up to {pct} %"},
    "fund.glance.closes": {"fr": "clôture le", "en": "closes on"},
    "fund.glance.none": {"fr": "Aucun appel ni dispositif ouvert ou à venir dont l'éligibilité soit établie pour ce "
                               "partenariat.",
                         "en": "No open or upcoming call or scheme with established eligibility for this partnership."},
    "fund.glance.undecided": {"fr": "À vérifier (une condition n'est pas précisée par les pages lues) : {n}",
                              "en": "To be checked (a condition is not stated by the pages read): {n}"},
    "fund.glance.all": {"fr": "Les {n} appels et dispositifs évalués, leurs règles et ce qu'il manque",
                        "en": "All {n} calls and schemes assessed, their rules and what is missing"},
    "fund.title": {"fr": "Financer le partenariat {a} – {b}", "en": "Funding the partnership {a} – {b}"},
    "fund.on": {"fr": "Situation au {day}", "en": "As of {day}"},
    "fund.intro": {"fr": "Appels à projets et dispositifs, éligibles et ouverts d'abord. « Inconnu » : les pages "
                         "lues ne permettent pas de trancher ; rien n'est deviné. Les appels changent chaque année : "
                         "vérifiez la page du financeur.",
                   "en": "Calls and schemes, eligible and open first. \"Unknown\": the pages read cannot decide; "
                         "nothing is guessed. Calls change every year: check the funder's page."},
    "fund.themes": {"fr": "Thèmes", "en": "Themes"},
    "fund.date": {"fr": "Date", "en": "Date"},
    "fund.coapplicants": {"fr": "Collectivités françaises candidates", "en": "French authorities applying"},
    "fund.update": {"fr": "Mettre à jour", "en": "Update"},
    "fund.programme": {"fr": "Appel ou dispositif", "en": "Call or scheme"},
    "fund.status": {"fr": "Statut", "en": "Status"},
    "fund.eligible": {"fr": "Éligible", "en": "Eligible"},
    "fund.rate": {"fr": "Cofinancement maximal", "en": "Maximum co-financing"},
    "fund.amount": {"fr": "Montant maximal", "en": "Maximum amount"},
    "fund.closes": {"fr": "Clôture", "en": "Deadline"},
    "fund.missing": {"fr": "Ce qui manque", "en": "What is missing"},
    "fund.why": {"fr": "Pourquoi", "en": "Why"},
    "fund.source": {"fr": "Source", "en": "Source"},
    "fund.edition": {"fr": "édition {e}", "en": "{e} edition"},
    "fund.yes": {"fr": "oui", "en": "yes"},
    "fund.no": {"fr": "non", "en": "no"},
    "fund.unknown": {"fr": "inconnu", "en": "unknown"},
    "fund.status.open": {"fr": "ouvert", "en": "open"},
    "fund.status.upcoming": {"fr": "à venir", "en": "upcoming"},
    "fund.status.closed": {"fr": "clos", "en": "closed"},
    "fund.status.permanent": {"fr": "permanent", "en": "permanent"},
    "fund.status.unknown": {"fr": "dates non précisées", "en": "dates not stated"},
    "fund.download": {"fr": "Télécharger", "en": "Download"},
    "fund.consortium": {"fr": "Constituer un consortium français", "en": "Build a French consortium"},
    "fund.cons.title": {"fr": "Consortium français pour {name}", "en": "French consortium for {name}"},
    "fund.cons.intro": {"fr": "{n} collectivités françaises travaillent déjà avec ce partenaire, sa région ou son "
                              "pays (jumelages et coopérations documentées). Proposition de groupe :",
                        "en": "{n} French authorities already work with this partner, its region or its country "
                              "(twinnings and documented cooperation). A proposed group:"},
    "fund.cons.none": {"fr": "Aucune collectivité française connue ne travaille avec ce partenaire, sa région ou son "
                             "pays.", "en": "No French authority is known to work with this partner, its region or "
                                            "its country."},
    "fund.role.lead": {"fr": "chef de file proposé", "en": "proposed lead"},
    "fund.role.member": {"fr": "membre", "en": "member"},
    "fund.role.complement": {"fr": "échelon complémentaire", "en": "complementary level"},
    "fund.cons.calls": {"fr": "Appels que le groupe remplit et qu'une collectivité seule ne remplit pas",
                        "en": "Calls the group meets that one authority alone does not"},
    "fund.cons.nocalls": {"fr": "Aucun appel des données n'exige plusieurs collectivités françaises pour ce cas.",
                          "en": "No call in the data requires several French authorities here."},
    "fund.staff.title": {"fr": "Territoires étrangers travaillés côte à côte",
                         "en": "Foreign territories worked side by side"},
    "fund.staff.intro": {"fr": "Territoires (premier niveau) où plusieurs collectivités françaises travaillent sans "
                               "projet commun connu dans le catalogue.",
                         "en": "Territories (first level) where several French authorities work without a joint "
                               "project known to the catalogue."},
    "fund.staff.territory": {"fr": "Territoire", "en": "Territory"},
    "fund.staff.french": {"fr": "Collectivités françaises", "en": "French authorities"},
    "fund.staff.country": {"fr": "Pays (code ISO)", "en": "Country (ISO code)"},
    "fund.notfrench": {"fr": "Le financement se calcule pour une collectivité française et un partenaire étranger.",
                       "en": "Funding is computed for a French authority and a foreign partner."},
}
