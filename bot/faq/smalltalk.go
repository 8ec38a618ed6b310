package faq

import (
	"regexp"
	"strings"
)

// Small talk. In chat people thank the bot, greet it, wish it a nice
// weekend or ask it the time, and the ranker, which only knows the
// knowledge base, found a confident entry in a single shared word
// ("quelle heure est-il ?" → the 72 hours rule, "stort tack!" → the
// registration minimum). Such a message, whole, gets a short reply in its
// language instead of an answer or an "I don't know" (it is no question
// the admins should teach).

// SmallTalk kinds.
const (
	Thanks   = "thanks"
	Greeting = "greeting"
	Offtopic = "offtopic" // the time, goodbyes: not what cosellbot answers
	// Acknowledgement: "ok", "got it", "d'accord", "uppfattat" after an
	// answer (a tester's "ok" was an "I don't know" and a miss).
	Acknowledgement = "ack"
)

// acks are the words that acknowledge an answer, folded: one of them, or
// two ("ok cool", "ah ok"), is the whole message.
const acks = `ok|okay|okey|okej|oki|okidoki|k|kk|alright|all right|got it|i see|understood|noted|fine|perfect|great|cool|nice|super|ah|aha|oh|` +
	`d accord|dac|entendu|compris|tres bien|bien recu|ca marche|je vois|parfait|genial|` +
	`bra|toppen|kanon|uppfattat|jag forstar|jaha|perfekt|fint`

// smallTalk matches a whole message, folded to lower-case ASCII with its
// punctuation removed.
var smallTalk = []struct {
	kind string
	re   *regexp.Regexp
}{
	{Thanks, regexp.MustCompile(`^(?:(?:ok|okay|okey|okej|great|super|parfait|perfekt|bra|nice|cool|top|genial|toppen|d accord) )?` +
		`(?:thanks?(?: you)?|thank you|thx|ty|cheers|merci|tack|stort tack|tusen tack)` +
		`(?: (?:very much|so much|a lot|a bunch|beaucoup|bien|infiniment|mille fois|sa mycket|sa hemskt mycket|sa jattemycket|for (?:the|your) help|pour (?:ton|votre|l) aide|for hjalpen|cosellbot))*$`)},
	{Greeting, regexp.MustCompile(`^(?:hi|hello|hey|hej|hejsan|tjena|bonjour|bonsoir|salut|coucou|good (?:morning|afternoon|evening)|god (?:morgon|kvall))(?: (?:there|all|everyone|cosellbot|tout le monde|a tous|allihop|alla))*$`)},
	{Offtopic, regexp.MustCompile(`^(?:what time is it|what s the time|quelle heure est il|il est quelle heure|vad ar klockan|hur mycket ar klockan)(?: (?:now|maintenant|nu|in|a|i) ?\w*)?$|` +
		`^(?:bye|goodbye|see you|see ya|have a (?:nice|good|great) (?:day|weekend|evening)|bonne (?:journee|soiree|fin de journee)|bon (?:weekend|week end)|a plus|a bientot|au revoir|trevlig helg|ha det bra|hej da|vi ses)(?: (?:all|everyone|tout le monde|a tous|alla|allihop))*$`)},
	{Acknowledgement, regexp.MustCompile(`^(?:` + acks + `)(?: (?:` + acks + `))?$`)},
}

// smallTalkOf returns the kind of small talk q is, or "".
func smallTalkOf(q string) string {
	if len(q) > 80 {
		return "" // a question that long is no thanks or greeting
	}
	f := strings.Join(words(foldLower(q)), " ")
	for _, st := range smallTalk {
		if st.re.MatchString(f) {
			return st.kind
		}
	}
	return ""
}

// ackLangs are the acknowledgements only one language says: a message of
// one word or two gives language detection little to go on ("okej" and
// "uppfattat" read as English), and the reply should come in the asker's.
var ackLangs = map[string]Lang{
	"okej": SV, "uppfattat": SV, "jaha": SV, "toppen": SV, "kanon": SV, "forstar": SV, "fint": SV,
	"accord": FR, "entendu": FR, "compris": FR, "recu": FR, "marche": FR, "vois": FR, "parfait": FR, "genial": FR,
}

// smallTalkLang is the language small talk q is in when one of its words
// says so, or "".
func smallTalkLang(q string) Lang {
	for _, w := range words(foldLower(q)) {
		if l, ok := ackLangs[w]; ok {
			return l
		}
	}
	return ""
}

// smallTalkReplies are the replies per kind and language.
var smallTalkReplies = map[string]map[Lang]string{
	Thanks: {
		EN: "You're welcome! Ask me anything else about co-sell, referrals, CPOR or deal registration.",
		FR: "Avec plaisir ! Posez-moi une autre question sur le co-sell, les références, le CPOR ou l'enregistrement des transactions.",
		SV: "Varsågod! Fråga gärna något mer om co-sell, hänvisningar, CPOR eller avtalsregistrering.",
	},
	Greeting: {
		EN: "Hi! Ask me a question about Partner Center co-sell, referrals, CPOR or deal registration, or type help for the commands.",
		FR: "Bonjour ! Posez-moi une question sur le co-sell de l'Espace partenaires, les références, le CPOR ou l'enregistrement des transactions, ou tapez help pour les commandes.",
		SV: "Hej! Ställ en fråga om co-sell i Partnercenter, hänvisningar, CPOR eller avtalsregistrering, eller skriv help för kommandona.",
	},
	Acknowledgement: {
		EN: "OK! Ask me anything else about co-sell, referrals, CPOR or deal registration.",
		FR: "D'accord ! Posez-moi une autre question sur le co-sell, les références, le CPOR ou l'enregistrement des transactions.",
		SV: "Okej! Fråga gärna något mer om co-sell, hänvisningar, CPOR eller avtalsregistrering.",
	},
	Offtopic: {
		EN: "I only answer questions about Partner Center co-sell, referrals, CPOR and deal registration; type help for the commands.",
		FR: "Je réponds seulement aux questions sur le co-sell de l'Espace partenaires, les références, le CPOR et l'enregistrement des transactions ; tapez help pour les commandes.",
		SV: "Jag svarar bara på frågor om co-sell i Partnercenter, hänvisningar, CPOR och avtalsregistrering; skriv help för kommandona.",
	},
}
