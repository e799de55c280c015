package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"tripline"
)

// nameRegion is a pool of names that belong together: given names and
// surnames with their original-script spellings where the region writes
// another script, and the countries such people hold passports of.
type nameRegion struct {
	weight    int
	male      []pair
	female    []pair
	surnames  []pair
	countries []string // alpha-3
	cities    []string // "City, Country"
	native    bool     // original-script name written family name first (Chinese)
	patronym  bool     // father's name as a middle name; kunyas ("Abu ...") as weak aliases
	femaleSur func(string, string) (string, string)
	docPrefix string // passport number letters
	docDigits int
}

// pair is a name in Latin script and, when the region uses another
// script, its original spelling.
type pair struct{ latin, orig string }

func p(latin string, orig ...string) pair {
	if len(orig) == 0 {
		return pair{latin: latin}
	}
	return pair{latin: latin, orig: orig[0]}
}

// russianFemale makes the feminine surname (Ivanov → Ivanova).
func russianFemale(latin, orig string) (string, string) {
	if strings.HasSuffix(latin, "ov") || strings.HasSuffix(latin, "ev") || strings.HasSuffix(latin, "in") {
		return latin + "a", orig + "а"
	}
	return latin, orig
}

var regions = []nameRegion{
	{ // Arabic-speaking Middle East and North Africa
		weight: 30, patronym: true,
		male: []pair{p("Muhammad", "محمد"), p("Ahmed", "أحمد"), p("Ali", "علي"), p("Hassan", "حسن"), p("Hussein", "حسين"),
			p("Omar", "عمر"), p("Khalid", "خالد"), p("Yusuf", "يوسف"), p("Ibrahim", "إبراهيم"), p("Abdullah", "عبد الله"),
			p("Abdul Rahman", "عبد الرحمن"), p("Mustafa", "مصطفى"), p("Mahmoud", "محمود"), p("Tariq", "طارق"),
			p("Samir", "سمير"), p("Karim", "كريم"), p("Saleh", "صالح"), p("Faisal", "فيصل"), p("Hamza", "حمزة"), p("Bilal", "بلال")},
		female: []pair{p("Fatima", "فاطمة"), p("Aisha", "عائشة"), p("Mariam", "مريم"), p("Zainab", "زينب"), p("Nour", "نور"),
			p("Layla", "ليلى"), p("Huda", "هدى"), p("Amina", "أمينة")},
		surnames: []pair{p("Al-Masri", "المصري"), p("Haddad", "حداد"), p("Al-Tikriti", "التكريتي"), p("Al-Shami", "الشامي"),
			p("Khalil", "خليل"), p("Mansour", "منصور"), p("Nasser", "ناصر"), p("Al-Hashimi", "الهاشمي"), p("Al-Zahrani", "الزهراني"),
			p("Abbas", "عباس"), p("Hamdan", "حمدان"), p("Darwish", "درويش"), p("Salem", "سالم"), p("Al-Obeidi", "العبيدي"),
			p("Al-Harbi", "الحربي"), p("Qasim", "قاسم"), p("Bakr", "بكر"), p("Al-Jaziri", "الجزيري")},
		countries: []string{"IRQ", "SYR", "EGY", "JOR", "LBN", "SAU", "YEM", "LBY", "TUN", "DZA", "MAR", "SDN"},
		cities:    []string{"Baghdad, Iraq", "Mosul, Iraq", "Damascus, Syria", "Aleppo, Syria", "Cairo, Egypt", "Amman, Jordan", "Sanaa, Yemen", "Tripoli, Libya", "Tunis, Tunisia", "Algiers, Algeria"},
		docPrefix: "A", docDigits: 7,
	},
	{ // Iran and Afghanistan (Persian and Dari in Arabic script)
		weight: 8, patronym: true,
		male: []pair{p("Reza", "رضا"), p("Hossein", "حسین"), p("Mehdi", "مهدی"), p("Ahmad", "احمد"), p("Gulbuddin", "گلبدین"),
			p("Abdul Ghani", "عبدالغنی"), p("Mohammad Karim", "محمد کریم"), p("Jalaluddin", "جلال\u200cالدین")},
		female: []pair{p("Zahra", "زهرا"), p("Maryam", "مریم"), p("Fereshteh", "فرشته"), p("Parisa", "پریسا")},
		surnames: []pair{p("Hosseini", "حسینی"), p("Mohammadi", "محمدی"), p("Rezaei", "رضایی"), p("Ahmadi", "احمدی"),
			p("Karimi", "کریمی"), p("Haqqani", "حقانی"), p("Noorzai", "نورزی"), p("Popalzai", "پوپلزی")},
		countries: []string{"IRN", "AFG"},
		cities:    []string{"Tehran, Iran", "Mashhad, Iran", "Kabul, Afghanistan", "Kandahar, Afghanistan", "Herat, Afghanistan"},
		docPrefix: "P", docDigits: 8,
	},
	{ // Russia and neighbours (Cyrillic)
		weight: 15,
		male: []pair{p("Ivan", "Иван"), p("Sergei", "Сергей"), p("Dmitry", "Дмитрий"), p("Alexei", "Алексей"), p("Vladimir", "Владимир"),
			p("Nikolai", "Николай"), p("Andrei", "Андрей"), p("Mikhail", "Михаил"), p("Yevgeny", "Евгений"), p("Oleg", "Олег"), p("Ruslan", "Руслан")},
		female: []pair{p("Olga", "Ольга"), p("Elena", "Елена"), p("Natalia", "Наталья"), p("Tatiana", "Татьяна"), p("Anna", "Анна"), p("Irina", "Ирина")},
		surnames: []pair{p("Ivanov", "Иванов"), p("Petrov", "Петров"), p("Smirnov", "Смирнов"), p("Kuznetsov", "Кузнецов"),
			p("Popov", "Попов"), p("Volkov", "Волков"), p("Sokolov", "Соколов"), p("Lebedev", "Лебедев"), p("Kozlov", "Козлов"),
			p("Morozov", "Морозов"), p("Novikov", "Новиков"), p("Fedorov", "Федоров"), p("Kadyrov", "Кадыров"), p("Shishkin", "Шишкин")},
		countries: []string{"RUS", "RUS", "RUS", "BLR", "UKR", "KAZ"},
		cities:    []string{"Moscow, Russia", "Saint Petersburg, Russia", "Grozny, Russia", "Kazan, Russia", "Minsk, Belarus", "Almaty, Kazakhstan"},
		femaleSur: russianFemale,
		docPrefix: "", docDigits: 9,
	},
	{ // China (Han)
		weight: 7, native: true,
		male:      []pair{p("Wei", "伟"), p("Lei", "磊"), p("Yong", "勇"), p("Jun", "军"), p("Qiang", "强"), p("Jian", "建")},
		female:    []pair{p("Fang", "芳"), p("Jing", "静"), p("Min", "敏"), p("Li", "丽"), p("Yan", "燕")},
		surnames:  []pair{p("Wang", "王"), p("Li", "李"), p("Zhang", "张"), p("Liu", "刘"), p("Chen", "陈"), p("Yang", "杨"), p("Zhao", "赵"), p("Huang", "黄")},
		countries: []string{"CHN"},
		cities:    []string{"Beijing, China", "Shanghai, China", "Guangzhou, China", "Shenyang, China"},
		docPrefix: "E", docDigits: 8,
	},
	{ // Latin America
		weight:    12,
		male:      []pair{p("Juan Carlos"), p("Carlos"), p("José"), p("Luis"), p("Miguel Ángel"), p("Jorge"), p("Fernando"), p("Diego")},
		female:    []pair{p("María"), p("Ana"), p("Sofía"), p("Lucía"), p("Gabriela"), p("Carmen")},
		surnames:  []pair{p("García"), p("Rodríguez"), p("Martínez"), p("Hernández"), p("López"), p("González"), p("Pérez"), p("Sánchez"), p("Ramírez Ortega"), p("Castillo")},
		countries: []string{"COL", "MEX", "VEN", "PER", "ECU", "HND", "GTM"},
		cities:    []string{"Medellín, Colombia", "Cali, Colombia", "Culiacán, Mexico", "Caracas, Venezuela", "Lima, Peru", "Guayaquil, Ecuador"},
		docPrefix: "AP", docDigits: 7,
	},
	{ // West Africa
		weight:    10,
		male:      []pair{p("Amadou"), p("Ibrahima"), p("Moussa"), p("Ousmane"), p("Mamadou"), p("Abdoulaye"), p("Seydou")},
		female:    []pair{p("Fatoumata"), p("Aminata"), p("Mariam"), p("Awa"), p("Kadiatou")},
		surnames:  []pair{p("Diallo"), p("Traoré"), p("Coulibaly"), p("Keita"), p("Touré"), p("Camara"), p("Sow"), p("Ould Mohamed")},
		countries: []string{"MLI", "SEN", "GIN", "NER", "BFA", "MRT", "NGA"},
		cities:    []string{"Bamako, Mali", "Gao, Mali", "Dakar, Senegal", "Conakry, Guinea", "Niamey, Niger", "Nouakchott, Mauritania"},
		docPrefix: "B", docDigits: 7,
	},
	{ // Europe
		weight:    10,
		male:      []pair{p("Jan"), p("Piotr"), p("Marco"), p("Luca"), p("Hans-Peter"), p("Pierre"), p("Jürgen"), p("Dragan")},
		female:    []pair{p("Sophie"), p("Anna"), p("Giulia"), p("Katarzyna"), p("Ingrid"), p("Marie-Claire")},
		surnames:  []pair{p("Müller"), p("Schmidt"), p("Rossi"), p("Bianchi"), p("Kowalski"), p("Nowak"), p("Dubois"), p("van der Berg"), p("de Vries"), p("Petrović")},
		countries: []string{"DEU", "ITA", "POL", "FRA", "NLD", "SRB", "BEL"},
		cities:    []string{"Hamburg, Germany", "Naples, Italy", "Warsaw, Poland", "Marseille, France", "Rotterdam, Netherlands", "Belgrade, Serbia"},
		docPrefix: "C", docDigits: 8,
	},
	{ // Türkiye
		weight:    4,
		male:      []pair{p("Mehmet"), p("Ahmet"), p("Mustafa"), p("İbrahim"), p("Hüseyin")},
		female:    []pair{p("Ayşe"), p("Emine"), p("Fatma"), p("Zeynep")},
		surnames:  []pair{p("Yılmaz"), p("Kaya"), p("Demir"), p("Şahin"), p("Çelik"), p("Öztürk")},
		countries: []string{"TUR"},
		cities:    []string{"Istanbul, Türkiye", "Gaziantep, Türkiye", "Ankara, Türkiye"},
		docPrefix: "U", docDigits: 8,
	},
	{ // South Asia
		weight:    4,
		male:      []pair{p("Imran"), p("Asif"), p("Bilal"), p("Zahid"), p("Tariq Mehmood")},
		female:    []pair{p("Sana"), p("Ayesha"), p("Nadia")},
		surnames:  []pair{p("Khan"), p("Ahmed"), p("Shah"), p("Malik"), p("Qureshi"), p("Chaudhry")},
		countries: []string{"PAK", "BGD", "IND"},
		cities:    []string{"Karachi, Pakistan", "Peshawar, Pakistan", "Lahore, Pakistan", "Dhaka, Bangladesh"},
		docPrefix: "AB", docDigits: 7,
	},
}

// variants are spellings lists record as aliases of the same name.
var variants = map[string][]string{
	"Muhammad": {"Mohammed", "Mohamed", "Mohammad"}, "Ahmed": {"Ahmad", "Ahmet"}, "Yusuf": {"Youssef", "Yousef"},
	"Hussein": {"Husain", "Hussain"}, "Omar": {"Umar"}, "Khalid": {"Khaled"}, "Abdul Rahman": {"Abdulrahman", "Abdurrahman"},
	"Mustafa": {"Mostafa", "Moustafa"}, "Mahmoud": {"Mahmud"}, "Abdullah": {"Abdallah"}, "Hossein": {"Hosein", "Husayn"},
	"Sergei": {"Sergey", "Serguei"}, "Dmitry": {"Dmitri", "Dmitriy"}, "Alexei": {"Aleksei", "Alexey"}, "Yevgeny": {"Evgeny", "Evgenii"},
	"Natalia": {"Natalya"}, "Tatiana": {"Tatyana"}, "Fedorov": {"Fyodorov"}, "Kadyrov": {"Kadirov"},
	"Al-Masri": {"El-Masry", "Almasri"}, "Al-Tikriti": {"Al Tikriti"}, "Haddad": {"Hadad"}, "Mansour": {"Mansur"},
	"Amadou": {"Ahmadou"}, "Ousmane": {"Usman"}, "Touré": {"Toure"}, "Traoré": {"Traore"},
	"José": {"Jose"}, "García": {"Garcia"}, "Müller": {"Mueller", "Muller"}, "Yılmaz": {"Yilmaz"}, "Jürgen": {"Juergen"},
}

var (
	genReasons = []struct {
		reason, narrative string
		action            tripline.Action
	}{
		{"terrorism", "Suspected member of a designated terrorist organisation; travel facilitation.", tripline.ActionRefuseEntry},
		{"terrorism", "Foreign terrorist fighter; returned from a conflict zone.", tripline.ActionDetain},
		{"organised crime", "Suspected courier for a drug trafficking network.", tripline.ActionSecondaryCheck},
		{"organised crime", "Subject of an ongoing investigation into migrant smuggling; do not alert.", tripline.ActionReport},
		{"wanted person", "Subject of a national arrest warrant for armed robbery.", tripline.ActionDetain},
		{"sanctions", "Designated under national asset-freeze and travel-ban measures.", tripline.ActionRefuseEntry},
		{"immigration", "Re-entry ban after removal; ban valid for five years.", tripline.ActionRefuseEntry},
		{"missing person", "Reported missing by family; possible trafficking victim.", tripline.ActionInfo},
	}
	genContacts = []string{"National SIRENE bureau +32 2 555 0100", "Border police duty officer +31 70 555 0199", "CT unit 24/7 desk +49 30 555 0142"}
	genAgencies = []string{"*", "*", "*", "bel-fp;nld-kmar", "deu-bpol"}
)

// GenerateCSV writes a synthetic watchlist of n listings in the CSV
// template format (docs/csv-template.md), the same for the same seed. The
// people are invented but shaped like real lists: names from several
// regions with their Arabic-script, Cyrillic and Han originals, spelling
// variants as aliases, partial and multiple birth dates, nationalities and
// passports. It feeds import benchmarks and demos; its errors are the
// writer's.
func GenerateCSV(w io.Writer, n int, seed int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7269706c696e65)) // "ripline"
	total := 0
	for _, r := range regions {
		total += r.weight
	}
	row := make([]string, len(CSVColumns))
	for i := range n {
		pick := rng.IntN(total)
		reg := &regions[len(regions)-1]
		for j := range regions {
			if pick < regions[j].weight {
				reg = &regions[j]
				break
			}
			pick -= regions[j].weight
		}
		genRow(rng, reg, i, row)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// genRow fills row (in CSVColumns order) with listing number i.
func genRow(rng *rand.Rand, reg *nameRegion, i int, row []string) {
	clear(row)
	set := func(col, v string) { row[csvIndex[col]] = v }
	one := func(ps []pair) pair { return ps[rng.IntN(len(ps))] }

	female := rng.IntN(5) == 0
	g := one(reg.male)
	if female {
		g = one(reg.female)
	}
	// Arabic and Persian names often carry the father's name as a middle name.
	var middle pair
	if reg.patronym && rng.IntN(2) == 0 {
		middle = one(reg.male)
	}
	s := one(reg.surnames)
	if female && reg.femaleSur != nil {
		s.latin, s.orig = reg.femaleSur(s.latin, s.orig)
	}
	given := g.latin
	if middle.latin != "" {
		given += " " + middle.latin
	}
	set("id", fmt.Sprintf("G%07d", i+1))
	set("given_names", given)
	set("surname", s.latin)
	if g.orig != "" && rng.IntN(10) < 8 {
		orig := joinNonEmpty(" ", g.orig, middle.orig, s.orig)
		if reg.native {
			orig = s.orig + g.orig
		}
		set("original_script_name", orig)
	}

	var aliases []string
	for k, v := range []pair{g, s} {
		if vs, ok := variants[v.latin]; ok && rng.IntN(3) > 0 {
			alt := vs[rng.IntN(len(vs))]
			if k == 0 {
				aliases = append(aliases, joinNonEmpty(" ", alt, middle.latin, s.latin))
			} else {
				aliases = append(aliases, joinNonEmpty(" ", given, alt))
			}
		}
	}
	if rng.IntN(6) == 0 {
		aliases = append(aliases, s.latin+", "+given) // the list-style inverted form
	}
	set("aliases", strings.Join(aliases, listSep))
	if reg.patronym && !female && rng.IntN(4) == 0 {
		set("weak_aliases", "Abu "+one(reg.male).latin)
	}

	set("birth_dates", genDOBs(rng))
	if rng.IntN(10) < 7 {
		set("birth_places", reg.cities[rng.IntN(len(reg.cities))])
	}
	switch {
	case female:
		set("sex", "F")
	case rng.IntN(20) > 0:
		set("sex", "M")
	}
	nat := reg.countries[rng.IntN(len(reg.countries))]
	nats := []string{nat}
	if rng.IntN(12) == 0 {
		nats = append(nats, []string{"FRA", "GBR", "SWE", "CAN", "TUR"}[rng.IntN(5)])
	}
	set("nationalities", strings.Join(nats, listSep))
	if rng.IntN(10) < 6 {
		num := reg.docPrefix
		for range reg.docDigits {
			num += string(rune('0' + rng.IntN(10)))
		}
		set("document_type", "P")
		set("document_number", num)
		set("document_country", nat)
		set("document_expiry", fmt.Sprintf("%04d-%02d-%02d", 2024+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28)))
	}

	rs := genReasons[rng.IntN(len(genReasons))]
	set("reason", rs.reason)
	set("narrative", rs.narrative)
	set("action", string(rs.action))
	set("contact", genContacts[rng.IntN(len(genContacts))])
	if rng.IntN(3) == 0 {
		y := 2027 + rng.IntN(4)
		set("valid_until", fmt.Sprintf("%04d-12-31", y))
		set("review_by", fmt.Sprintf("%04d-06-30", y))
	}
	set("source_ref", fmt.Sprintf("REF/%d/%06d", 2015+rng.IntN(11), rng.IntN(1000000)))
	set("legal_basis", "Art. 24 Regulation (EU) 2018/1861")
	set("screen_agencies", genAgencies[rng.IntN(len(genAgencies))])
	set("action_agencies", "*")
	set("use_code", []string{"H0", "H1", "H2", "H3"}[rng.IntN(4)])
	set("reshare", []string{"never", "with_consent", "allowed"}[rng.IntN(3)])
	if rng.IntN(4) == 0 {
		set("phones", fmt.Sprintf("+%d %03d %07d", 7+rng.IntN(90), rng.IntN(1000), rng.IntN(10000000)))
	}
	if rng.IntN(8) == 0 {
		set("emails", fmt.Sprintf("%s.%d@example.net", strings.ToLower(strings.ReplaceAll(s.latin, " ", "")), rng.IntN(1000)))
	}
}

// csvIndex maps a column name to its position in CSVColumns.
var csvIndex = func() map[string]int {
	m := make(map[string]int, len(CSVColumns))
	for i, c := range CSVColumns {
		m[c] = i
	}
	return m
}()

// genDOBs returns birth dates as lists give them: mostly one full date,
// some year-only or year-month, some people with two candidate dates.
func genDOBs(rng *rand.Rand) string {
	k := 1
	switch r := rng.IntN(20); {
	case r == 0:
		return ""
	case r < 3:
		k = 2
	}
	var ds []string
	y := 1950 + rng.IntN(56)
	for j := range k {
		d := tripline.PartialDate{Year: y + j}
		switch r := rng.IntN(10); {
		case r < 7:
			d.Month, d.Day = 1+rng.IntN(12), 1+rng.IntN(28)
		case r < 8:
			d.Month = 1 + rng.IntN(12)
		}
		ds = append(ds, d.String())
	}
	return strings.Join(ds, listSep)
}
