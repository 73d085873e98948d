"""The demo's French: every text of the home page, the campaign index and the campaign,
as wagtail-localize's segments read them (source text -> French). A segment missing here
stops load_demo, so the French pages never show a stray English text."""

TEXTS: dict[str, str] = {
    # The home page and the campaign index
    "Clarion": "Clarion",
    "home": "accueil",
    "clarion-home": "accueil",  # the home page's first slug, where no site existed yet
    "Campaigns for human rights. Add your voice.": (
        "Des campagnes pour les droits humains. Joignez votre voix."
    ),
    "Take action": "Agir",
    "act": "agir",
    "Every message counts. Choose a campaign.": "Chaque message compte. Choisissez une campagne.",
    # The campaign
    "Free the Lakeside Four": "Libérez les quatre du lac Sereno",
    "free-the-lakeside-four": "liberez-les-quatre-du-lac-sereno",
    "Four water defenders are held without charge. Write to the Minister of Justice today.": (
        "Quatre défenseurs de l'eau sont détenus sans inculpation. Écrivez aujourd'hui au "
        "ministre de la Justice."
    ),
    "Four water defenders have been held without charge for 60 days.": (
        "Quatre défenseurs de l'eau sont détenus sans inculpation depuis 60 jours."
    ),
    "Illustration: Clarion demo": "Illustration : démo Clarion",
    "On 3 March, four members of the Lakeside Water Collective were arrested after a "
    "peaceful vigil outside the regional assembly. They had spent two years documenting how "
    "a quarry upstream poisoned the wells of three villages.": (
        "Le 3 mars, quatre membres du Collectif de l'eau du lac Sereno ont été arrêtés après "
        "une veillée pacifique devant l'assemblée régionale. Ils avaient passé deux ans à "
        "documenter comment une carrière en amont empoisonnait les puits de trois villages."
    ),
    "Candles held up at night outside the regional assembly": (
        "Des bougies levées dans la nuit devant l'assemblée régionale"
    ),
    "The vigil of 3 March, hours before the arrests.": (
        "La veillée du 3 mars, quelques heures avant les arrestations."
    ),
    "Held for speaking up": "Détenus pour avoir pris la parole",
    "Mara Okonjo, Daniel Reyes, Lin Aydin and Tomas Varga have been held without charge for "
    "more than 60 days. Their families have not been allowed to visit, and their lawyer has "
    "seen them only once, for ten minutes.": (
        "Mara Okonjo, Daniel Reyes, Lin Aydin et Tomas Varga sont détenus sans inculpation "
        "depuis plus de 60 jours. Leurs familles n'ont pas pu leur rendre visite, et leur "
        "avocate ne les a vus qu'une fois, pendant dix minutes."
    ),
    "We asked for clean water. They answered with handcuffs.": (
        "Nous demandions de l'eau potable. Ils ont répondu par des menottes."
    ),
    "Ana Okonjo, Mara's sister": "Ana Okonjo, sœur de Mara",
    "Since the quarry opened, the water of three villages has turned orange. The collective "
    "took samples every month and published them: lead and arsenic, up to forty times the "
    "safe limit.": (
        "Depuis l'ouverture de la carrière, l'eau de trois villages est devenue orange. Le "
        "collectif a prélevé des échantillons chaque mois et les a publiés : du plomb et de "
        "l'arsenic, jusqu'à quarante fois le seuil sans danger."
    ),
    "A village well whose water has turned orange": "Un puits de village à l'eau devenue orange",
    "Well no. 3 in Vila Sereno. Illustration: Clarion demo": (
        "Le puits no 3 à Vila Sereno. Illustration : démo Clarion"
    ),
    "60 days without charge": "60 jours sans inculpation",
    "International law allows no one to be held this long without being brought before a "
    "judge. Every day counts.": (
        "Le droit international ne permet à personne d'être détenu aussi longtemps sans être "
        "présenté à un juge. Chaque jour compte."
    ),
    "Read the collective's report": "Lire le rapport du collectif",
    "What we are asking for": "Ce que nous demandons",
    "Write to the Minister of Justice, who has the power to order their release, and to the "
    "Governor of the Lake Sereno region. Ask them to <b>release the Lakeside Four immediately "
    "and unconditionally</b>, and to open an independent investigation into the "
    "contamination they exposed.": (
        "Écrivez au ministre de la Justice, qui a le pouvoir d'ordonner leur libération, et au "
        "gouverneur de la région du lac Sereno. Demandez-leur de <b>libérer les quatre du lac "
        "immédiatement et sans condition</b>, et d'ouvrir une enquête indépendante sur la "
        "contamination qu'ils ont révélée."
    ),
    "Urge the Minister and the Governor to free the Lakeside Four": (
        "Exhortez le ministre et le gouverneur à libérer les quatre du lac Sereno"
    ),
    "Release the Lakeside Four now": "Libérez maintenant les quatre du lac Sereno",
    # The letter, one line at a time (campaigns.models.fields.LetterField).
    "Dear Minister, dear Governor,": "Monsieur le Ministre, Monsieur le Gouverneur,",
    "My name is {first_name} {last_name}, and I am writing to urge you to release Mara Okonjo, "
    "Daniel Reyes, Lin Aydin and Tomas Varga, the members of the Lakeside Water Collective who "
    "have been held without charge since 3 March for taking part in a peaceful vigil.": (
        "Je m'appelle {first_name} {last_name} et je vous écris pour vous demander instamment "
        "de libérer Mara Okonjo, Daniel Reyes, Lin Aydin et Tomas Varga, membres du Collectif "
        "de l'eau du lac Sereno, détenus sans inculpation depuis le 3 mars pour avoir participé "
        "à une veillée pacifique."
    ),
    "Defending access to clean water is not a crime. I ask you to release them immediately "
    "and unconditionally, to guarantee their access to their families and lawyers in the "
    "meantime, and to order an independent investigation into the contamination of the wells "
    "they documented.": (
        "Défendre l'accès à l'eau potable n'est pas un crime. Je vous demande de les libérer "
        "immédiatement et sans condition, de leur garantir d'ici là l'accès à leurs familles et "
        "à leurs avocats, et d'ordonner une enquête indépendante sur la contamination des puits "
        "qu'ils ont documentée."
    ),
    "Yours sincerely,": "Veuillez agréer, Messieurs, l'expression de ma haute considération,",
    "Keep me informed about this and other campaigns.": (
        "Tenez-moi informé·e de cette campagne et des autres."
    ),
    "Email me news of this campaign, including the targets' answers (one click "
    "unsubscribes), and keep me informed about other campaigns.": (
        "Envoyez-moi par courriel les nouvelles de cette campagne, dont les réponses des "
        "personnes ciblées (un clic suffit pour se désabonner), et tenez-moi informé·e des "
        "autres campagnes."
    ),
    "Send my message": "Envoyer mon message",
    "Taking action sends an email to the target that includes your email address. Your other "
    "details are processed under our privacy policy.": (
        "Agir envoie à la personne ciblée un courriel qui comprend votre adresse électronique. "
        "Vos autres données sont traitées selon notre politique de confidentialité."
    ),
    "Thank you! Your message is on its way to the Minister and the Governor. Share this page "
    "so that more people add their voice.": (
        "Merci ! Votre message est en route vers le ministre et le gouverneur. Partagez cette "
        "page pour que d'autres joignent leur voix."
    ),
    "I just wrote to the Minister of Justice to free the Lakeside Four. Will you add your voice?": (
        "Je viens d'écrire au ministre de la Justice pour la libération des quatre du lac "
        "Sereno. Joindrez-vous votre voix ?"
    ),
    "Support the defence fund": "Soutenir le fonds de défense",
    "This campaign has closed. Thank you to everyone who took action.": (
        "Cette campagne est close. Merci à toutes celles et ceux qui ont agi."
    ),
}
