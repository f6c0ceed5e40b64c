"""Starting texts for the pages every city needs. Process managers replace them in the admin.

Placeholders in [square brackets] are for the city to fill in; the pages are created once and
never overwritten by an update.
"""

DEFAULT_PAGES = {
    "start": {
        "title": "Beteiligungshaushalt",
        "body": """Die Stadt plant jedes Jahr, wofür sie ihr Geld ausgibt: für Schulen, Straßen, Grünflächen,
Kultur und vieles mehr. Im **Beteiligungshaushalt** können Sie mitreden, bevor der Gemeinderat
den Haushalt beschließt.

So machen Sie mit:

1. **Informieren:** Lesen Sie, wie der Haushalt aufgebaut ist und wofür die Stadt Geld ausgibt.
2. **Vorschlagen:** Schreiben Sie, wofür die Stadt mehr oder weniger Geld ausgeben soll.
3. **Unterstützen und diskutieren:** Unterstützen Sie Vorschläge anderer und kommentieren Sie sie.
4. **Nachverfolgen:** Die Verwaltung nimmt Stellung, die Fraktionen greifen Vorschläge in ihren
   Änderungsanträgen auf, der Gemeinderat entscheidet. Sie sehen hier, was aus jedem Vorschlag wird.""",
        "title_en": "Participatory budget",
        "body_en": """Every year the city plans what it spends its money on: schools, streets, parks, culture and much
more. In the **participatory budget** you have your say before the city council adopts the budget.

How to take part:

1. **Learn:** read how the budget is built and what the city spends money on.
2. **Propose:** write what the city should spend more or less money on.
3. **Support and discuss:** support other people's proposals and comment on them.
4. **Follow up:** the administration answers, the council factions take proposals into their
   amendment motions, the council decides. You can see here what becomes of every proposal.""",
    },
    "impressum": {
        "title": "Impressum",
        "body": """**[Stadt Musterstadt]**, Körperschaft des öffentlichen Rechts
[Straße Hausnummer], [PLZ Ort]

Vertreten durch [die Oberbürgermeisterin / den Oberbürgermeister].

Telefon: [Nummer] · E-Mail: [adresse@musterstadt.de]

Aufsichtsbehörde: [Regierungspräsidium]

Verantwortlich für den redaktionellen Inhalt: [Name, Anschrift]

Technischer Betrieb: [Dienstleister, Anschrift]""",
        "title_en": "Legal notice",
        "body_en": """**[City of Musterstadt]**, a public-law corporation
[Street number], [postcode town]

Represented by [the mayor].

Phone: [number] · E-mail: [address@musterstadt.de]

Supervisory authority: [regional council]

Responsible for editorial content: [name, address]

Technical operation: [service provider, address]""",
    },
    "datenschutz": {
        "title": "Datenschutzerklärung",
        "body": """## Wer ist verantwortlich?

[Stadt Musterstadt, Anschrift]. Behördliche Datenschutzbeauftragte: [Kontakt].

## Welche Daten wir verarbeiten und warum

- **Konto:** E-Mail-Adresse, öffentlicher Benutzername und Passwort (nur verschlüsselt gespeichert),
  damit Sie sich anmelden und beteiligen können. Die E-Mail-Adresse wird niemandem angezeigt.
- **Beiträge:** Vorschläge, Kommentare und Unterstützungen. Öffentlich erscheint nur Ihr Benutzername.
  Wer was unterstützt hat, wird nie angezeigt; veröffentlicht werden nur Zahlen.
- **Server-Protokolle:** Zeitpunkt, aufgerufene Seite, Statuscode und Dauer, für den sicheren Betrieb,
  höchstens [14] Tage.

Rechtsgrundlage ist Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit [Landesrecht]; da Beiträge politische
Meinungen erkennen lassen können, willigen Sie bei der Registrierung ausdrücklich ein (Art. 9 Abs. 2 lit. a DSGVO).

## Keine Weitergabe, kein Tracking

Diese Seite lädt nichts von fremden Servern, setzt keine Werbe- oder Statistik-Cookies und nutzt nur
die Cookies, die für Anmeldung, Sprache und Schutz vor Missbrauch nötig sind.

## Ihre Rechte

Sie können Ihre Daten jederzeit selbst herunterladen (Art. 15 und 20 DSGVO) und Ihr Konto selbst
löschen (Art. 17 DSGVO): unter „Mein Konto“. Ihre Beiträge bleiben dann als „gelöschtes Konto“
sichtbar. Sie haben außerdem das Recht auf Berichtigung, Einschränkung und Widerspruch und das Recht,
sich bei der Aufsichtsbehörde zu beschweren: [Landesbeauftragte für den Datenschutz].""",
        "title_en": "Privacy notice",
        "body_en": """## Who is responsible?

[City of Musterstadt, address]. Data protection officer: [contact].

## What we process and why

- **Account:** e-mail address, public username and password (stored only as a hash), so that you can
  sign in and take part. The e-mail address is never shown to anyone.
- **Contributions:** proposals, comments and supports. Only your username appears publicly. Who
  supported what is never shown; only counts are published.
- **Server logs:** time, page, status and duration, for safe operation, kept for at most [14] days.

The legal basis is Art. 6(1)(e) GDPR together with [state law]; because contributions may reveal
political opinions, you give your explicit consent when you register (Art. 9(2)(a) GDPR).

## No sharing, no tracking

This site loads nothing from other servers, sets no advertising or statistics cookies and uses only
the cookies needed for signing in, the language and protection against abuse.

## Your rights

You can download your data yourself at any time (Art. 15 and 20 GDPR) and delete your account
yourself (Art. 17 GDPR) under "My account". Your contributions then remain as "deleted account".
You also have the rights to rectification, restriction and objection, and the right to complain to
the supervisory authority: [state data protection commissioner].""",
    },
    "barrierefreiheit": {
        "title": "Erklärung zur Barrierefreiheit",
        "body": """[Stadt Musterstadt] ist bemüht, diese Website im Einklang mit [dem Landes-Behindertengleichstellungsgesetz]
und der BITV 2.0 barrierefrei zugänglich zu machen.

## Stand der Vereinbarkeit

Diese Website ist mit den Anforderungen der BITV 2.0 (WCAG 2.1, Stufe AA) **[weitgehend] vereinbar**.
Jede Seite wird bei jeder Änderung der Software automatisch mit axe-core geprüft.

## Nicht barrierefreie Inhalte

- [Liste bekannter Einschränkungen, z. B. ältere PDF-Dokumente des Ratsinformationssystems.]

## Erstellung dieser Erklärung

Die Erklärung wurde am [Datum] auf Grundlage einer [Selbstbewertung] erstellt und zuletzt am [Datum] überprüft.

## Barriere melden (Feedback)

Sind Ihnen Barrieren aufgefallen, oder brauchen Sie einen Inhalt in einer barrierefreien Form?
Schreiben Sie uns über das Formular auf dieser Seite oder an [barrierefreiheit@musterstadt.de].
Wir antworten spätestens innerhalb eines Monats.

## Durchsetzungsverfahren

Wenn Sie keine zufriedenstellende Antwort erhalten, können Sie sich an [die zuständige
Schlichtungs- oder Durchsetzungsstelle des Landes, Kontakt und Link] wenden.""",
        "title_en": "Accessibility statement",
        "body_en": """[The city of Musterstadt] strives to make this website accessible in accordance with [the state
disability equality act] and BITV 2.0.

## Compliance status

This website is **[largely] compliant** with BITV 2.0 (WCAG 2.1, level AA). Every page is checked
automatically with axe-core whenever the software changes.

## Content that is not accessible

- [List of known limitations, e.g. older PDF documents of the council information system.]

## Preparation of this statement

This statement was prepared on [date] on the basis of a [self-assessment] and last reviewed on [date].

## Report a barrier (feedback)

Have you come across a barrier, or do you need content in an accessible form? Write to us with the
form on this page or to [accessibility@musterstadt.de]. We answer within one month at the latest.

## Enforcement procedure

If you do not receive a satisfactory answer, you can turn to [the state's arbitration or enforcement
body, contact and link].""",
    },
    "dialogregeln": {
        "title": "Dialogregeln",
        "body": """Damit die Diskussion allen offensteht und sachlich bleibt, gelten diese Regeln:

1. **Respekt:** keine Beleidigungen, Drohungen oder diskriminierenden Inhalte, nichts Strafbares.
2. **Sachlich und klar:** ein Thema pro Beitrag, ein aussagekräftiger Titel, kurze Texte.
3. **Beim Thema bleiben:** es geht um den städtischen Haushalt.
4. **Keine Doppelungen:** suchen Sie vor dem Schreiben nach ähnlichen Vorschlägen. Die Moderation
   führt doppelte Vorschläge zusammen.
5. **Keine Werbung** und keine Parteienwerbung; Zitate und Links mit Quelle.
6. **Ein Konto pro Person**; keine irreführenden oder beleidigenden Benutzernamen, keine Namen
   anderer Personen und keine Fotos, auf denen Menschen zu erkennen sind.
7. **Moderation:** Die Moderation achtet auf die Form, nicht auf die Meinung. Beiträge, die gegen
   diese Regeln verstoßen, werden mit Begründung ausgeblendet; bei wiederholten Verstößen kann ein
   Konto gesperrt werden.""",
        "title_en": "Dialogue rules",
        "body_en": """So that the discussion stays open to everyone and to the point, these rules apply:

1. **Respect:** no insults, threats or discriminatory content, nothing unlawful.
2. **Clear and to the point:** one topic per post, a telling title, short texts.
3. **Stay on topic:** this is about the city's budget.
4. **No duplicates:** search for similar proposals before writing. The moderation merges duplicates.
5. **No advertising** and no party campaigning; quotes and links with their source.
6. **One account per person**; no misleading or offensive usernames, no names of other people and no
   photos in which people can be recognised.
7. **Moderation:** the moderation looks after the form, not the opinion. Posts that break these rules
   are hidden with a reason; repeated breaches can lead to an account being blocked.""",
    },
    "leichte-sprache": {
        "title": "Leichte Sprache",
        "lang_override": "de",
        "body": """## Was ist der Beteiligungs-Haushalt?

Die Stadt hat Geld.
Mit dem Geld bezahlt die Stadt zum Beispiel Schulen, Straßen und Parks.
Der Gemeinde-Rat entscheidet: Wofür gibt die Stadt das Geld aus?

Beim Beteiligungs-Haushalt dürfen Sie mit-reden.
Sie können sagen: Dafür soll die Stadt mehr Geld ausgeben.
Oder: Dafür soll die Stadt weniger Geld ausgeben.

## So machen Sie mit

1. Sie melden sich auf dieser Internet-Seite an.
   Dafür brauchen Sie eine E-Mail-Adresse.
2. Sie schreiben einen Vorschlag.
3. Andere Menschen lesen Ihren Vorschlag.
   Sie können Ihren Vorschlag unterstützen.
4. Die Stadt-Verwaltung schreibt eine Antwort.
5. Der Gemeinde-Rat entscheidet.

Auf dieser Internet-Seite sehen Sie:
Was ist mit dem Vorschlag passiert?

## So finden Sie sich zurecht

Oben auf jeder Seite ist ein Menü.
Dort finden Sie die wichtigen Seiten.
Unten auf jeder Seite finden Sie:
das Impressum, den Daten-Schutz und die Erklärung zur Barriere-Freiheit.

## Barriere-Freiheit

Wir möchten: Alle Menschen können diese Internet-Seite gut benutzen.
Manches klappt vielleicht noch nicht.
Dann schreiben Sie uns bitte.
Das geht auf der Seite: Erklärung zur Barriere-Freiheit.""",
    },
    "rueckblick": {
        "title": "Rückblick – Erfolgreiche Vorschläge",
        "body": """In den vergangenen Jahren fanden sich zahlreiche Vorschläge aus dem Online-Forum zum
Beteiligungshaushalt in Änderungsanträgen der Gemeinderatsfraktionen wieder, viele davon wurden
schließlich in den Haushalt übernommen. So schafften es auch immer wieder Themen und Einrichtungen auf
die städtische Zuschussliste, die ursprünglich nicht im Haushaltsentwurf vorgesehen waren.""",
        "title_en": "Retrospective – Successful proposals",
        "body_en": """In past years many proposals from the online forum of the participatory budget were taken up in
the amendment motions of the council factions, and many of them made it into the budget. Again and
again, topics and organisations reached the city's grants list that the draft budget had not
planned for.""",
    },
}
