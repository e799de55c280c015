package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"tripline"
)

// Synthetic people for measurement: innocent travellers with common names
// from many regions and scripts (false-alert rate), watchlists of any size
// (speed and memory), and perturbed copies of listed people (recall).

// region is a naming tradition with common names, written in Latin and,
// where the region writes another script, in that script too.
type region struct {
	name       string
	weight     int
	male       []string
	female     []string
	surnames   []string
	nats       []string
	script     map[string]string // Latin name → original script
	syllables  []string          // for rare generated surnames
	patronymic bool              // given + father's given + surname
	russian    bool              // patronymic in -ovich/-ovna
}

var regions = []region{
	{name: "arabic", weight: 3, patronymic: true,
		male:     strings.Fields("Mohammed Ahmed Ali Omar Khalid Hassan Hussein Ibrahim Youssef Abdullah Mahmoud Mustafa Said Karim Tariq Walid Samir Nabil Faisal Hamza Bilal Rami Ziad Adel Jamal Nasser Salem Majid Fahad Sultan Yasser Anas Khaled Saleh Murad Imad Hisham Amr Sami"),
		female:   strings.Fields("Fatima Aisha Mariam Layla Noor Huda Salma Rania Amal Yasmin Zainab Khadija Mona Dina Reem Hanan Samira Lina"),
		surnames: strings.Fields("Al-Masri Haddad Khalil Hassan Ibrahim Mansour Nasser Saleh Youssef Abbas Hamdan Darwish Farouk Aziz Qasim Jaber Najjar Sabbagh Khoury Rahman Al-Amin Bakr Othman Suleiman Said Shaheen Awad Zaki Al-Shami Al-Hashimi Al-Zahrani Al-Ghamdi Al-Otaibi Al-Dosari Bouzid Benali El-Amrani"),
		nats:     strings.Fields("EGY SAU JOR IRQ SYR LBN MAR DZA TUN YEM ARE LBY"),
		script: map[string]string{"Mohammed": "محمد", "Ahmed": "أحمد", "Ali": "علي", "Omar": "عمر", "Khalid": "خالد", "Hassan": "حسن", "Hussein": "حسين",
			"Ibrahim": "إبراهيم", "Youssef": "يوسف", "Abdullah": "عبدالله", "Mahmoud": "محمود", "Mustafa": "مصطفى", "Said": "سعيد", "Karim": "كريم",
			"Tariq": "طارق", "Walid": "وليد", "Samir": "سمير", "Nabil": "نبيل", "Faisal": "فيصل", "Hamza": "حمزة", "Fatima": "فاطمة", "Aisha": "عائشة",
			"Mariam": "مريم", "Layla": "ليلى", "Noor": "نور", "Huda": "هدى", "Salma": "سلمى", "Al-Masri": "المصري", "Haddad": "حداد", "Khalil": "خليل",
			"Mansour": "منصور", "Nasser": "ناصر", "Saleh": "صالح", "Abbas": "عباس", "Hamdan": "حمدان", "Darwish": "درويش", "Farouk": "فاروق",
			"Aziz": "عزيز", "Qasim": "قاسم", "Jaber": "جابر", "Najjar": "نجار", "Khaled": "خالد", "Jamal": "جمال", "Sultan": "سلطان"},
		syllables: strings.Fields("ba ha ja ka ma na ra sa ta za qa da fa la wa sha kha gha")},
	{name: "persian", weight: 1,
		male:     strings.Fields("Reza Ali Mohammad Hossein Mehdi Amir Hamid Saeed Majid Hassan Javad Morteza Dariush Farhad Kourosh Babak Alireza Mohsen"),
		female:   strings.Fields("Maryam Zahra Fatemeh Leila Shirin Parisa Nasrin Mahsa Niloufar"),
		surnames: strings.Fields("Hosseini Mohammadi Ahmadi Rezaei Moradi Karimi Jafari Rahimi Hashemi Mousavi Ebrahimi Sadeghi Kazemi Ghorbani Najafi Tehrani Azizi Rostami"),
		nats:     strings.Fields("IRN AFG"),
		script: map[string]string{"Reza": "رضا", "Ali": "علی", "Mohammad": "محمد", "Hossein": "حسین", "Mehdi": "مهدی", "Hosseini": "حسینی",
			"Mohammadi": "محمدی", "Ahmadi": "احمدی", "Rezaei": "رضایی", "Karimi": "کریمی", "Maryam": "مریم", "Zahra": "زهرا"},
		syllables: strings.Fields("ba da fa ka ma na ra sa ta za pa sha kh ja")},
	{name: "turkish", weight: 1,
		male:      strings.Fields("Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Emre Burak Serkan Kemal Ömer"),
		female:    strings.Fields("Ayşe Fatma Emine Hatice Zeynep Elif Özlem Merve"),
		surnames:  strings.Fields("Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Kara Koç Kurt"),
		nats:      strings.Fields("TUR"),
		syllables: strings.Fields("ka ya de mir ba tu ol ay er gü ce"),
	},
	{name: "russian", weight: 1, russian: true,
		male:     strings.Fields("Aleksandr Sergey Dmitry Andrey Alexey Maxim Ivan Mikhail Nikolai Vladimir Yuri Oleg Pavel Igor"),
		female:   strings.Fields("Elena Olga Natalia Tatiana Irina Anna Svetlana Maria Yulia"),
		surnames: strings.Fields("Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov"),
		nats:     strings.Fields("RUS UKR BLR KAZ"),
		script: map[string]string{"Aleksandr": "Александр", "Sergey": "Сергей", "Dmitry": "Дмитрий", "Andrey": "Андрей", "Alexey": "Алексей", "Ivan": "Иван",
			"Mikhail": "Михаил", "Ivanov": "Иванов", "Smirnov": "Смирнов", "Kuznetsov": "Кузнецов", "Popov": "Попов", "Petrov": "Петров", "Sokolov": "Соколов",
			"Elena": "Елена", "Olga": "Ольга", "Natalia": "Наталья"},
		syllables: strings.Fields("ko vo ro mi sha lo ba de ny ki")},
	{name: "pashto-urdu", weight: 3, patronymic: true,
		male:     strings.Fields("Mohammad Abdul Gul Imran Asif Tariq Zahid Naveed Faisal Bilal Shahid Irfan Rashid Javed Nasir Habib Noor Wali Zia Sher Hamid Sayed Khalil"),
		female:   strings.Fields("Ayesha Sana Bushra Nadia Saima Hina Farzana Shabana"),
		surnames: strings.Fields("Khan Ahmed Hussain Shah Malik Qureshi Chaudhry Butt Akhtar Iqbal Yousafzai Afridi Khattak Durrani Mohmand Siddiqui Rahimi Popal Safi"),
		nats:     strings.Fields("PAK AFG"),
		script: map[string]string{"Mohammad": "محمد", "Imran": "عمران", "Khan": "خان", "Ahmed": "احمد", "Hussain": "حسین", "Shah": "شاہ",
			"Gul": "گل", "Rashid": "رشید", "Noor": "نور"},
		syllables: strings.Fields("za ra ma ka gu la sh wa da ba")},
	{name: "west-african", weight: 1,
		male:      strings.Fields("Mamadou Ousmane Ibrahima Moussa Abdoulaye Amadou Cheikh Seydou Kwame Kofi Chinedu Emeka Oluwaseun Adebayo Babajide Sekou Lamine"),
		female:    strings.Fields("Aminata Fatoumata Mariama Awa Adaeze Ngozi Funmilayo Kadiatou"),
		surnames:  strings.Fields("Diallo Traoré Koné Camara Keita Coulibaly Diop Ndiaye Sow Bah Mensah Asante Okafor Okonkwo Adeyemi Balogun Oyelaran Sylla Touré"),
		nats:      strings.Fields("SEN MLI GIN NGA GHA CIV BFA NER"),
		syllables: strings.Fields("ko na ba di ou ma se ye ke lo")},
	{name: "east-african", weight: 1,
		male:      strings.Fields("Abdi Hassan Mohamed Ahmed Daniel Joseph Samuel Tesfaye Getachew Mulugeta Kipchoge Otieno Mwangi Juma Baraka Abdirahman Yusuf"),
		female:    strings.Fields("Hodan Amina Halima Wanjiru Achieng Tigist Meron Faith"),
		surnames:  strings.Fields("Mohamud Farah Hussein Abdullahi Osman Warsame Mwangi Otieno Kamau Njoroge Ochieng Kiprop Tadesse Bekele Haile Girma Mekonnen Okello Mugisha Jama"),
		nats:      strings.Fields("SOM KEN ETH UGA TZA SDN ERI"),
		syllables: strings.Fields("wa ka ma ne ki ro te ge ha ju")},
	{name: "european", weight: 1,
		male:      strings.Fields("Jean Pierre Michel Hans Peter Thomas Stefan Marco Giuseppe Luca Jan Piotr José Juan Carlos Miguel Antonio David John Paul James Lars Erik Georgios"),
		female:    strings.Fields("Maria Anna Sophie Laura Julia Katarzyna Marie Elena Sara Emma Ingrid"),
		surnames:  strings.Fields("Müller Schmidt Schneider Fischer Weber Martin Bernard Dubois Rossi Russo Bianchi García Fernández López Martínez Nowak Kowalski Jansen Smith Jones Williams Brown Andersson Johansson Nielsen Papadopoulos"),
		nats:      strings.Fields("DEU FRA ITA ESP POL NLD GBR SWE GRC BEL AUT"),
		script:    map[string]string{"Georgios": "Γεώργιος", "Papadopoulos": "Παπαδόπουλος", "Maria": "Μαρία"},
		syllables: strings.Fields("ber man ler son sen ter ko ri va del")},
	{name: "south-asian", weight: 1,
		male:      strings.Fields("Rahul Amit Sanjay Vijay Raj Arjun Suresh Ramesh Anil Rajesh Mohammed Abdul Rakib Sumon"),
		female:    strings.Fields("Priya Anjali Sunita Pooja Deepa Nusrat Roksana"),
		surnames:  strings.Fields("Sharma Patel Singh Kumar Gupta Reddy Rao Das Iyer Nair Mehta Joshi Chowdhury Rahman Islam Hossain Perera Fernando"),
		nats:      strings.Fields("IND BGD LKA NPL"),
		syllables: strings.Fields("ra ma ja pa ni sh ka de va su")},
	{name: "east-asian", weight: 1,
		male:      strings.Fields("Wei Jun Hao Ming Hiroshi Takashi Kenji Minjun Jihoon Duc Budi Agus Jose Mark"),
		female:    strings.Fields("Mei Xiu Yuki Sakura Jiyeon Linh Siti Nur"),
		surnames:  strings.Fields("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Sato Suzuki Takahashi Tanaka Kim Lee Park Choi Nguyen Tran Le Pham Santoso Wijaya Reyes Santos Cruz"),
		nats:      strings.Fields("CHN JPN KOR VNM IDN PHL THA MYS"),
		syllables: strings.Fields("ka to shi wa na mi ri yu ho an"),
	},
}

// rngFor returns a generator for a seed.
func rngFor(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0x73796e7468)) }

// pick returns a random element.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickRegion picks a region by weight.
func pickRegion(r *rand.Rand) *region {
	total := 0
	for i := range regions {
		total += regions[i].weight
	}
	n := r.IntN(total)
	for i := range regions {
		if n < regions[i].weight {
			return &regions[i]
		}
		n -= regions[i].weight
	}
	return &regions[0]
}

// person is a generated identity.
type person struct {
	reg   *region
	given []string // Latin
	sur   string
	sex   tripline.Sex
}

// newPerson draws a person of region reg; rare adds a generated surname
// that no pool contains.
func newPerson(r *rand.Rand, reg *region, rare bool) person {
	p := person{reg: reg, sex: "M"}
	pool := reg.male
	if r.IntN(3) == 0 {
		p.sex, pool = "F", reg.female
	}
	p.given = []string{pick(r, pool)}
	switch {
	case reg.patronymic && r.IntN(2) == 0:
		p.given = append(p.given, pick(r, reg.male))
	case reg.russian && r.IntN(2) == 0:
		end := "ovich"
		if p.sex == "F" {
			end = "ovna"
		}
		p.given = append(p.given, strings.TrimSuffix(pick(r, reg.male), "y")+end)
	}
	p.sur = pick(r, reg.surnames)
	if reg.russian && p.sex == "F" && strings.HasSuffix(p.sur, "v") {
		p.sur += "a"
	}
	if rare {
		var b strings.Builder
		for i, n := 0, 2+r.IntN(2); i < n; i++ {
			b.WriteString(pick(r, reg.syllables))
		}
		b.WriteString(pick(r, []string{"i", "an", "ov", "ar", "o", "e", "u"}))
		s := b.String()
		p.sur = strings.ToUpper(s[:1]) + s[1:]
	}
	return p
}

// latin writes the person's name in Latin letters.
func (p person) latin() string {
	return strings.Join(append(append([]string{}, p.given...), p.sur), " ")
}

// original writes the name in the region's script when every part has a
// known original spelling.
func (p person) original() (string, bool) {
	if p.reg.script == nil {
		return "", false
	}
	var parts []string
	for _, w := range append(append([]string{}, p.given...), p.sur) {
		o, ok := p.reg.script[w]
		if !ok {
			return "", false
		}
		parts = append(parts, o)
	}
	return strings.Join(parts, " "), true
}

// mrzStyle writes a name as a machine-readable zone does: upper case,
// Latin letters only, punctuation as spaces.
func mrzStyle(name string) string {
	var b strings.Builder
	for _, w := range Normalise(name) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToUpper(w))
	}
	return b.String()
}

// randomDOB draws a full birth date between 1940 and 2008.
func randomDOB(r *rand.Rand) tripline.PartialDate {
	return tripline.PartialDate{Year: 1940 + r.IntN(69), Month: 1 + r.IntN(12), Day: 1 + r.IntN(28)}
}

// passportNumber draws a passport number.
func passportNumber(r *rand.Rand) string {
	return fmt.Sprintf("%c%c%07d", 'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26)), r.IntN(10000000))
}

// GenerateTravellers returns n innocent travellers with common names from
// Arabic, Persian, Turkish, Russian, Pashto/Urdu, West and East African,
// European, South and East Asian traditions, written in Latin letters, as
// an MRZ would, or in their own script; with random realistic birth dates,
// nationalities and passports. The same seed gives the same travellers.
func GenerateTravellers(n int, seed int64) []*tripline.Traveller {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7472697020))
	out := make([]*tripline.Traveller, n)
	for i := range out {
		reg := pickRegion(r)
		p := newPerson(r, reg, false)
		name := p.latin()
		switch k := r.IntN(10); {
		case k < 2:
			if o, ok := p.original(); ok {
				name = o
			}
		case k < 5:
			name = mrzStyle(name)
		}
		nat := pick(r, reg.nats)
		out[i] = &tripline.Traveller{
			Ref: fmt.Sprintf("t-%d", i), Name: name, DOB: randomDOB(r), Sex: p.sex, Nationality: nat,
			Document: &tripline.Document{Type: "P", Number: passportNumber(r), Country: nat},
		}
	}
	return out
}

// GenerateListings returns n synthetic active listings for speed and
// memory measurements: multi-region names (half with a rare generated
// surname), some aliases and original-script names, partial birth dates,
// nationalities and passports. IDs are "synth:<i>".
func GenerateListings(n int, seed int64) []*tripline.Listing {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6c69737420))
	out := make([]*tripline.Listing, n)
	for i := range out {
		reg := pickRegion(r)
		p := newPerson(r, reg, r.IntN(2) == 0)
		l := &tripline.Listing{
			ID: fmt.Sprintf("synth:%d", i), Source: "synth", Action: tripline.ActionRefuseEntry,
			Status: tripline.StatusActive, Sex: p.sex, Nationalities: []string{pick(r, reg.nats)},
			Names: []tripline.Name{{Full: p.latin(), Kind: tripline.NamePrimary}},
		}
		if r.IntN(3) == 0 {
			q := p
			q.given = []string{pick(r, reg.male)}
			l.Names = append(l.Names, tripline.Name{Full: q.latin(), Kind: tripline.NameAlias})
		}
		if o, ok := p.original(); ok {
			l.Names = append(l.Names, tripline.Name{Full: o, Kind: tripline.NameOriginal})
		}
		d := randomDOB(r)
		if r.IntN(5) < 2 {
			d.Month, d.Day = 0, 0
		}
		l.BirthDates = []tripline.PartialDate{d}
		if r.IntN(2) == 0 {
			l.Documents = []tripline.Document{{Type: "P", Number: passportNumber(r), Country: l.Nationalities[0]}}
		}
		out[i] = l
	}
	return out
}

// Perturbations are the ways PerturbListing changes a listed person.
var Perturbations = []string{"exact", "variant", "drop-middle", "typo", "swap", "original-script", "mrz", "dob-digit", "dob-swap", "new-passport"}

// PerturbListing returns the listed person as a traveller presenting with
// one perturbation (one of Perturbations); ok is false when the listing
// does not allow it (no original-script name, no middle name, ...).
func PerturbListing(l *tripline.Listing, kind string, seed int64) (*tripline.Traveller, bool) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7065727475))
	name := l.PrimaryName()
	t := &tripline.Traveller{Ref: l.ID + "/" + kind, Sex: l.Sex}
	if len(l.Nationalities) > 0 {
		t.Nationality = l.Nationalities[0]
	}
	for _, d := range l.BirthDates {
		if !d.IsZero() {
			t.DOB = d
			break
		}
	}
	if !t.DOB.IsZero() && t.DOB.Month == 0 {
		// A traveller's passport has a full date; the list only a year.
		t.DOB.Month, t.DOB.Day = 1+r.IntN(12), 1+r.IntN(28)
	} else if !t.DOB.IsZero() && t.DOB.Day == 0 {
		t.DOB.Day = 1 + r.IntN(28)
	}
	for _, d := range l.Documents {
		if docClass(d.Type) == "P" {
			t.Document = &tripline.Document{Type: "P", Number: d.Number, Country: d.Country}
			break
		}
	}
	words := strings.Fields(name)
	switch kind {
	case "exact":
	case "variant":
		changed := false
		for i, w := range words {
			if vs := Variants(w); len(vs) > 1 {
				for k := 0; k < 5; k++ {
					v := pick(r, vs)
					if v != strings.ToLower(w) && isLatinWord(v) {
						words[i], changed = v, true
						break
					}
				}
			}
		}
		if !changed {
			return nil, false
		}
		name = strings.Join(words, " ")
	case "drop-middle":
		if len(words) < 3 {
			return nil, false
		}
		i := 1 + r.IntN(len(words)-2)
		if abdPrefixes[strings.ToLower(words[i-1])] {
			// "Abdul Latif" is one name: drop neither half alone.
			if i+1 >= len(words)-1 {
				return nil, false
			}
			i++
		}
		name = strings.Join(append(append([]string{}, words[:i]...), words[i+1:]...), " ")
	case "typo":
		i := longest(words)
		words[i] = typo(r, words[i])
		name = strings.Join(words, " ")
	case "swap":
		if len(words) < 2 {
			return nil, false
		}
		k := len(words) - 1 // surname first, as an MRZ writes it
		if k > 1 && abdPrefixes[strings.ToLower(words[k-1])] {
			k-- // "Abdul Zahir" is one surname: move it whole
		}
		name = strings.Join(append(append([]string{}, words[k:]...), words[:k]...), " ")
	case "original-script":
		found := false
		for _, n := range l.Names {
			if n.Kind == tripline.NameOriginal {
				name, found = n.Full, true
				break
			}
		}
		if !found {
			return nil, false
		}
	case "mrz":
		name = mrzStyle(name)
		if hasArabicOriginal(l) {
			// ICAO 9303 writes خ as XKH.
			name = strings.ReplaceAll(name, "KH", "XKH")
		}
	case "dob-digit":
		if t.DOB.IsZero() {
			return nil, false
		}
		if t.DOB.Day >= 10 && t.DOB.Day%10 != 9 {
			t.DOB.Day++
		} else {
			t.DOB.Year += 1 - 2*r.IntN(2)
		}
	case "dob-swap":
		d := t.DOB
		if d.Day == 0 || d.Day > 12 || d.Day == d.Month || !hasFullDOB(l) {
			return nil, false
		}
		t.DOB.Month, t.DOB.Day = d.Day, d.Month
	case "new-passport":
		c := t.Nationality
		if t.Document != nil {
			c = t.Document.Country
		}
		t.Document = &tripline.Document{Type: "P", Number: passportNumber(r), Country: c}
	default:
		return nil, false
	}
	t.Name = name
	return t, true
}

func hasArabicOriginal(l *tripline.Listing) bool {
	for _, n := range l.Names {
		if n.Kind == tripline.NameOriginal {
			for _, r := range n.Full {
				if isArabicLetter(r) {
					return true
				}
			}
		}
	}
	return false
}

func hasFullDOB(l *tripline.Listing) bool {
	for _, d := range l.BirthDates {
		if d.Day != 0 {
			return true
		}
	}
	return false
}

func isLatinWord(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return s != ""
}

// longest returns the index of the longest word.
func longest(ws []string) int {
	b := 0
	for i, w := range ws {
		if len(w) > len(ws[b]) {
			b = i
		}
	}
	return b
}

// typo makes one keyboard-style error in w, never in its first letter:
// a substitution, deletion, insertion or transposition.
func typo(r *rand.Rand, w string) string {
	rs := []rune(w)
	if len(rs) < 3 {
		return w
	}
	i := 1 + r.IntN(len(rs)-2)
	for k := 0; k < len(rs) && !(unicode.IsLetter(rs[i]) && unicode.IsLetter(rs[i+1]) && unicode.IsLetter(rs[i-1])); k++ {
		i = 1 + (i % (len(rs) - 2)) // typos hit letters, not hyphens
	}
	switch r.IntN(4) {
	case 0:
		rs[i] = 'a' + rune(r.IntN(26))
		if unicode.IsUpper(rs[i-1]) {
			rs[i] = unicode.ToUpper(rs[i])
		}
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	case 2:
		rs = append(rs[:i], append([]rune{rs[i]}, rs[i:]...)...)
	default:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return string(rs)
}
