package match

import (
	"encoding/csv"
	"fmt"
	"os"
	"testing"
)

func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	f, _ := os.Open("../../shared/data/names/nomenklatura_name_bench_cases.csv")
	rows, _ := csv.NewReader(f).ReadAll()
	type c struct{ a, b string; y bool }
	var cs []c
	for _, r := range rows[1:] {
		if r[1] == "Person" {
			cs = append(cs, c{r[2], r[3], r[4] == "true"})
		}
	}
	th := NameThresholds(DefaultThresholds).Review
	for _, cp := range []float64{1.2, 1.6, 2.0} {
		for _, op := range []float64{0.25, 0.35, 0.45} {
			for _, sp := range []float64{0.7, 0.8, 0.9} {
				conflictPenalty, omissionPenalty, substitutionPenalty = cp, op, sp
				tp, fp, fn := 0, 0, 0
				for _, x := range cs {
					p := CompareNames(x.a, x.b) >= th
					switch {
					case p && x.y:
						tp++
					case p:
						fp++
					case x.y:
						fn++
					}
				}
				pr, rc := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
				fmt.Printf("cp=%.1f op=%.2f sp=%.1f F1=%.4f P=%.3f R=%.3f\n", cp, op, sp, 2*pr*rc/(pr+rc), pr, rc)
			}
		}
	}
}
