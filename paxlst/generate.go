package paxlst

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"tripline"
	"tripline/edifact"
)

// region is a pool of names with the nationality and passport number shape
// that go with them, so generated travellers look like a real flight's mix.
type region struct {
	countries []string
	surnames  []string
	male      []string
	female    []string
	passport  func(r *rand.Rand) string
}

func digitsN(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func lettersN(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

var regions = []region{
	{ // Western Europe and the Anglosphere
		countries: []string{"GBR", "IRL", "DEU", "FRA", "NLD", "USA", "CAN", "AUS"},
		surnames:  []string{"SMITH", "O'BRIEN", "MUELLER", "DUBOIS", "VAN DER BERG", "JOHNSON", "MACDONALD", "SCHMIDT", "LEFEBVRE", "DE JONG", "WILLIAMS", "FITZGERALD", "BAKER-HUGHES", "MARTIN"},
		male:      []string{"JAMES", "THOMAS", "JEAN PIERRE", "LUKAS", "SEAN", "DANIEL", "PIETER", "OLIVER", "HENRI"},
		female:    []string{"EMMA", "SOPHIE", "CHARLOTTE", "ANNA MARIA", "SIOBHAN", "CLAIRE", "LOTTE", "OLIVIA"},
		passport:  func(r *rand.Rand) string { return digitsN(r, 9) },
	},
	{ // Spain, Portugal and Latin America
		countries: []string{"ESP", "MEX", "COL", "ARG", "PRT", "BRA", "PER"},
		surnames:  []string{"GARCIA LOPEZ", "FERNANDEZ", "DE LA CRUZ", "RODRIGUEZ", "DOS SANTOS", "GONZALEZ", "MARTINEZ", "PEREIRA", "DEL RIO", "HERNANDEZ"},
		male:      []string{"JOSE LUIS", "CARLOS", "JUAN", "MIGUEL ANGEL", "JOAO", "DIEGO", "ALEJANDRO"},
		female:    []string{"MARIA JOSE", "LUCIA", "ANA", "CAMILA", "GABRIELA", "FERNANDA", "VALENTINA"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 3) + digitsN(r, 6) },
	},
	{ // Middle East and North Africa
		countries: []string{"EGY", "JOR", "MAR", "SAU", "IRQ", "LBN", "TUN"},
		surnames:  []string{"AL-RASHID", "HASSAN", "EL AMRANI", "ABDULLAH", "AL HASHIMI", "BEN SALEM", "HADDAD", "MANSOUR", "KHALIL"},
		male:      []string{"MOHAMMED", "AHMED", "OMAR", "YOUSSEF", "KHALED", "ABDUL RAHMAN", "HAMZA"},
		female:    []string{"FATIMA", "AISHA", "LAYLA", "MARYAM", "NOUR", "SALMA", "HANA"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 1) + digitsN(r, 8) },
	},
	{ // Eastern Europe and Turkey
		countries: []string{"POL", "UKR", "RUS", "ROU", "TUR", "CZE", "SRB"},
		surnames:  []string{"KOWALSKI", "SHEVCHENKO", "IVANOV", "POPESCU", "YILMAZ", "NOVAK", "PETROVIC", "WISNIEWSKA", "KUZNETSOVA", "DEMIR"},
		male:      []string{"PIOTR", "OLEKSANDR", "DMITRI", "ANDREI", "MEHMET", "JAN", "NIKOLA"},
		female:    []string{"KATARZYNA", "OLENA", "NATALIA", "IOANA", "AYSE", "TEREZA", "MILICA"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 2) + digitsN(r, 7) },
	},
	{ // South Asia
		countries: []string{"IND", "PAK", "BGD", "LKA", "NPL"},
		surnames:  []string{"SHARMA", "PATEL", "KHAN", "RAHMAN", "PERERA", "SINGH", "CHOWDHURY", "IYER", "THAPA"},
		male:      []string{"RAHUL", "ARJUN KUMAR", "IMRAN", "MD ABDUL", "SUNIL", "VIKRAM", "RAJESH"},
		female:    []string{"PRIYA", "ANJALI", "SANA", "NUSRAT", "DILINI", "KAVITHA", "SUNITA DEVI"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 1) + digitsN(r, 7) },
	},
	{ // East and South-East Asia
		countries: []string{"CHN", "JPN", "KOR", "VNM", "PHL", "IDN", "THA"},
		surnames:  []string{"WANG", "LI", "ZHANG", "TANAKA", "SATO", "KIM", "PARK", "NGUYEN", "SANTOS", "SUSANTO", "CHAIYAPORN"},
		male:      []string{"WEI", "HIROSHI", "MIN JUN", "VAN MINH", "JOSE RIZAL", "BUDI", "SOMCHAI"},
		female:    []string{"XIAOLING", "YUKI", "JI WOO", "THI HOA", "MARIA CLARA", "SITI", "SUDA"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 1) + digitsN(r, 8) },
	},
	{ // Sub-Saharan Africa
		countries: []string{"NGA", "KEN", "ETH", "GHA", "ZAF", "SEN", "UGA"},
		surnames:  []string{"OKAFOR", "ADEYEMI", "OMONDI", "TESFAYE", "MENSAH", "NDLOVU", "DIOP", "MUSOKE", "KAMAU"},
		male:      []string{"CHINEDU", "OLUWASEUN", "BRIAN", "DAWIT", "KWAME", "THABO", "MAMADOU"},
		female:    []string{"NGOZI", "FUNMILAYO", "WANJIRU", "MEKDES", "AMA", "NOMVULA", "AWA"},
		passport:  func(r *rand.Rand) string { return lettersN(r, 1) + digitsN(r, 8) },
	},
}

var routes = [][3]string{
	{"LH", "FRA", "IAD"}, {"BA", "LHR", "JFK"}, {"EK", "DXB", "LHR"}, {"AF", "CDG", "YUL"},
	{"SQ", "SIN", "SYD"}, {"TK", "IST", "ORD"}, {"QR", "DOH", "MAN"}, {"KE", "ICN", "LAX"},
}

// Generate writes a synthetic, valid D05B PAXLST passenger manifest of
// passengers travellers on one flight to w. The same seed gives the same
// bytes. Travellers come from seven world regions, with names of several
// parts (some needing the release character, like O'BRIEN), birth dates from
// infants to the elderly, passports in national number shapes, and bookings
// of one to four travellers sharing a locator and adjacent seats. It is the
// fixture for parser and screening benchmarks. Generate returns an EINVALID
// error for a negative count, and w's write error.
func Generate(w io.Writer, passengers int, seed int64) error {
	if passengers < 0 {
		return tripline.Errorf(tripline.EINVALID, "paxlst: generate: %d passengers", passengers)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x7472_6970_6c69_6e65))
	route := routes[r.IntN(len(routes))]
	depart := time.Date(2026, 1, 1, 6+r.IntN(16), 5*r.IntN(12), 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
	arrive := depart.Add(time.Duration(120+r.IntN(600)) * time.Minute)
	prepared := depart.Add(-time.Hour)
	flight := fmt.Sprintf("%s%d", route[0], 100+r.IntN(900))
	ref := fmt.Sprintf("%s%04d", depart.Format("0601021504"), r.IntN(10000))

	b := bufio.NewWriter(w)
	segs := 0
	seg := func(parts ...string) {
		b.WriteString(strings.Join(parts, "+"))
		b.WriteString("'\n")
		segs++
	}
	esc := func(s string) string { return edifact.Escape(s, edifact.Default) }

	b.WriteString(edifact.Default.UNA() + "\n")
	seg("UNB", "UNOA:4", route[0]+"API", "TRIPLINE", prepared.Format("060102:1504"), ref)
	seg("UNG", "PAXLST", route[0]+" AIRLINES", "TRIPLINE", prepared.Format("060102:1504"), ref, "UN", "D:05B")
	segs = 0
	seg("UNH", ref, "PAXLST:D:05B:UN:IATA", flight+depart.Format("0601021504"), "01:F")
	seg("BGM", "745")
	seg("RFF", "TN:"+ref)
	seg("NAD", "MS", "", "", "TRIPLINE TEST DESK")
	seg("COM", "+1 555 0100:TE", "+1 555 0101:FX")
	seg("TDT", "20", flight, "", "", route[0])
	seg("LOC", "125", route[1])
	seg("DTM", "189:"+depart.Format("0601021504")+":201")
	seg("LOC", "87", route[2])
	seg("DTM", "232:"+arrive.Format("0601021504")+":201")

	var (
		booking string
		left    int
		row     = 1
		col     = 0
	)
	for i := 0; i < passengers; i++ {
		if left == 0 {
			booking = lettersN(r, 6)
			left = 1 + r.IntN(4)
		}
		left--
		reg := &regions[r.IntN(len(regions))]
		country := reg.countries[r.IntN(len(reg.countries))]
		sex, given := "M", reg.male[r.IntN(len(reg.male))]
		if r.IntN(2) == 0 {
			sex, given = "F", reg.female[r.IntN(len(reg.female))]
		}
		surname := reg.surnames[r.IntN(len(reg.surnames))]
		dob := depart.AddDate(-1-r.IntN(85), 0, -r.IntN(365))
		expiry := depart.AddDate(0, 1+r.IntN(119), 0)
		seat := fmt.Sprintf("%d%c", row, "ABCDEF"[col])
		if col++; col == 6 {
			col, row = 0, row+1
		}
		givenParts := strings.SplitN(given, " ", 2)
		name := esc(surname) + ":" + esc(givenParts[0])
		if len(givenParts) > 1 {
			name += ":" + esc(givenParts[1])
		}
		seg("NAD", "FL", "", "", name)
		seg("ATT", "2", "", sex)
		seg("DTM", "329:"+dob.Format("060102"))
		seg("LOC", "22", route[2])
		seg("LOC", "178", route[1])
		seg("LOC", "179", route[2])
		seg("LOC", "174", country)
		seg("NAT", "2", country)
		seg("RFF", "AVF:"+booking)
		seg("RFF", "SEA:"+seat)
		seg("DOC", "P:110:111", reg.passport(r))
		seg("DTM", "36:"+expiry.Format("060102"))
		seg("LOC", "91", country)
	}
	seg("CNT", fmt.Sprintf("42:%d", passengers))
	seg("UNT", fmt.Sprint(segs+1), ref)
	seg("UNE", "1", ref)
	seg("UNZ", "1", ref)
	return b.Flush()
}
