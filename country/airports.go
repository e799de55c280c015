package country

import "strings"

// airports maps the IATA codes of large international airports to the
// ISO 3166 alpha-3 country they are in: enough to tell which country a
// PNR's flight leaves from for the common routes. A port not in it gives
// no country (nobody is notified on a guess); an operator names the
// country instead (tripline screen --departure-country, ?departure_country=).
var airports = map[string]string{
	// Europe
	"LHR": "GBR", "LGW": "GBR", "MAN": "GBR", "STN": "GBR", "EDI": "GBR", "BHX": "GBR", "LTN": "GBR",
	"CDG": "FRA", "ORY": "FRA", "NCE": "FRA", "LYS": "FRA", "MRS": "FRA",
	"FRA": "DEU", "MUC": "DEU", "BER": "DEU", "TXL": "DEU", "DUS": "DEU", "HAM": "DEU", "CGN": "DEU", "STR": "DEU",
	"AMS": "NLD", "EIN": "NLD", "RTM": "NLD", "BRU": "BEL", "CRL": "BEL", "LUX": "LUX",
	"ZRH": "CHE", "GVA": "CHE", "BSL": "CHE", "VIE": "AUT", "PRG": "CZE", "WAW": "POL", "KRK": "POL", "BUD": "HUN",
	"MAD": "ESP", "BCN": "ESP", "AGP": "ESP", "PMI": "ESP", "LIS": "PRT", "OPO": "PRT",
	"FCO": "ITA", "MXP": "ITA", "LIN": "ITA", "VCE": "ITA", "NAP": "ITA",
	"CPH": "DNK", "ARN": "SWE", "GOT": "SWE", "OSL": "NOR", "HEL": "FIN", "DUB": "IRL", "KEF": "ISL",
	"ATH": "GRC", "SOF": "BGR", "OTP": "ROU", "BEG": "SRB", "ZAG": "HRV", "LJU": "SVN", "TIA": "ALB", "SKP": "MKD",
	"PRN": "RKS", "SJJ": "BIH", "KBP": "UKR", "KIV": "MDA", "RIX": "LVA", "VNO": "LTU", "TLL": "EST",
	"SVO": "RUS", "DME": "RUS", "VKO": "RUS", "LED": "RUS", "MSQ": "BLR",
	"IST": "TUR", "SAW": "TUR", "ESB": "TUR", "ADB": "TUR", "AYT": "TUR", "GZT": "TUR",
	// Middle East, Caucasus, Central and South Asia
	"DXB": "ARE", "AUH": "ARE", "SHJ": "ARE", "DOH": "QAT", "BAH": "BHR", "KWI": "KWT", "MCT": "OMN",
	"RUH": "SAU", "JED": "SAU", "DMM": "SAU", "AMM": "JOR", "BEY": "LBN", "DAM": "SYR", "BGW": "IRQ", "EBL": "IRQ",
	"BSR": "IRQ", "IKA": "IRN", "THR": "IRN", "TLV": "ISR", "CAI": "EGY", "HBE": "EGY", "SAH": "YEM",
	"GYD": "AZE", "TBS": "GEO", "EVN": "ARM", "TAS": "UZB", "ALA": "KAZ", "NQZ": "KAZ", "FRU": "KGZ", "DYU": "TJK",
	"KBL": "AFG", "ISB": "PAK", "KHI": "PAK", "LHE": "PAK", "DEL": "IND", "BOM": "IND", "BLR": "IND", "MAA": "IND",
	"DAC": "BGD", "CMB": "LKA", "KTM": "NPL", "MLE": "MDV",
	// Africa
	"ADD": "ETH", "NBO": "KEN", "MBA": "KEN", "JNB": "ZAF", "CPT": "ZAF", "LOS": "NGA", "ABV": "NGA", "ACC": "GHA",
	"DKR": "SEN", "DSS": "SEN", "CMN": "MAR", "RAK": "MAR", "ALG": "DZA", "TUN": "TUN", "TIP": "LBY", "MJI": "LBY",
	"KRT": "SDN", "MGQ": "SOM", "DAR": "TZA", "EBB": "UGA", "KGL": "RWA", "LAD": "AGO", "WDH": "NAM", "HRE": "ZWE",
	"LUN": "ZMB", "MPM": "MOZ", "JIB": "DJI", "ASM": "ERI", "NDJ": "TCD", "NIM": "NER", "BKO": "MLI", "OUA": "BFA",
	// Asia and Oceania
	"PEK": "CHN", "PKX": "CHN", "PVG": "CHN", "SHA": "CHN", "CAN": "CHN", "SZX": "CHN", "CTU": "CHN", "HKG": "HKG", "MFM": "MAC",
	"TPE": "TWN", "NRT": "JPN", "HND": "JPN", "KIX": "JPN", "ICN": "KOR", "GMP": "KOR", "PUS": "KOR", "FNJ": "PRK",
	"SIN": "SGP", "KUL": "MYS", "BKK": "THA", "DMK": "THA", "HKT": "THA", "CGK": "IDN", "DPS": "IDN", "MNL": "PHL",
	"SGN": "VNM", "HAN": "VNM", "PNH": "KHM", "RGN": "MMR", "VTE": "LAO", "ULN": "MNG",
	"SYD": "AUS", "MEL": "AUS", "BNE": "AUS", "PER": "AUS", "AKL": "NZL", "CHC": "NZL", "NAN": "FJI",
	// Americas
	"JFK": "USA", "EWR": "USA", "LGA": "USA", "IAD": "USA", "DCA": "USA", "BOS": "USA", "ORD": "USA", "ATL": "USA",
	"LAX": "USA", "SFO": "USA", "SEA": "USA", "MIA": "USA", "DFW": "USA", "IAH": "USA", "DEN": "USA", "PHL": "USA",
	"DTW": "USA", "MSP": "USA", "CLT": "USA", "LAS": "USA", "PHX": "USA", "MCO": "USA", "HNL": "USA",
	"YYZ": "CAN", "YVR": "CAN", "YUL": "CAN", "YYC": "CAN", "YOW": "CAN",
	"MEX": "MEX", "CUN": "MEX", "GDL": "MEX", "BOG": "COL", "MDE": "COL", "LIM": "PER", "SCL": "CHL", "EZE": "ARG",
	"GRU": "BRA", "GIG": "BRA", "BSB": "BRA", "CCS": "VEN", "UIO": "ECU", "GYE": "ECU", "PTY": "PAN", "SJO": "CRI",
	"HAV": "CUB", "SDQ": "DOM", "PUJ": "DOM", "KIN": "JAM", "MVD": "URY", "ASU": "PRY", "VVI": "BOL", "LPB": "BOL",
	"SAL": "SLV", "GUA": "GTM", "TGU": "HND", "MGA": "NIC", "POS": "TTO", "GEO": "GUY", "PBM": "SUR",
}

// Airport returns the alpha-3 country of the airport with IATA code iata
// (any case) and whether it is known.
func Airport(iata string) (string, bool) {
	c, ok := airports[strings.ToUpper(strings.TrimSpace(iata))]
	return c, ok
}
