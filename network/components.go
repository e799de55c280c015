package network

// Components labels each node with its connected component. Labels run
// from 0 to count-1, numbered in order of each component's smallest id, so
// the result is deterministic.
func (g *Graph) Components() (label []int32, count int) {
	n := g.N()
	label = make([]int32, n)
	for i := range label {
		label[i] = -1
	}
	queue := make([]int32, 0, 1024)
	for s := 0; s < n; s++ {
		if label[s] >= 0 {
			continue
		}
		c := int32(count)
		count++
		label[s] = c
		queue = append(queue[:0], int32(s))
		for head := 0; head < len(queue); head++ {
			v := queue[head]
			for _, u := range g.adj[g.off[v]:g.off[v+1]] {
				if label[u] < 0 {
					label[u] = c
					queue = append(queue, u)
				}
			}
		}
	}
	return label, count
}

// ComponentSizes returns the number of nodes in each component of label.
func ComponentSizes(label []int32, count int) []int {
	sizes := make([]int, count)
	for _, c := range label {
		sizes[c]++
	}
	return sizes
}

// KCore returns each node's core number: the largest k such that the node
// belongs to a subgraph in which every node has at least k neighbours.
// Dense cells stand out as high cores; a facilitator's own core number
// stays low however many cells it touches. It is the Batagelj–Zaversnik
// bucket algorithm, O(N+E).
func (g *Graph) KCore() []int32 {
	n := g.N()
	deg := make([]int32, n)
	maxDeg := int32(0)
	for v := 0; v < n; v++ {
		deg[v] = int32(g.off[v+1] - g.off[v])
		maxDeg = max(maxDeg, deg[v])
	}
	// bin[d] is the first position of degree d in vert, which holds the
	// nodes sorted by current degree; pos is each node's index in vert.
	bin := make([]int32, maxDeg+2)
	for _, d := range deg {
		bin[d]++
	}
	start := int32(0)
	for d := range bin {
		c := bin[d]
		bin[d] = start
		start += c
	}
	vert := make([]int32, n)
	pos := make([]int32, n)
	for v := 0; v < n; v++ {
		pos[v] = bin[deg[v]]
		vert[pos[v]] = int32(v)
		bin[deg[v]]++
	}
	for d := len(bin) - 1; d > 0; d-- {
		bin[d] = bin[d-1]
	}
	bin[0] = 0
	for i := 0; i < n; i++ {
		v := vert[i]
		for _, u := range g.adj[g.off[v]:g.off[v+1]] {
			if deg[u] > deg[v] {
				du, pu := deg[u], pos[u]
				pw := bin[du]
				w := vert[pw]
				if u != w {
					vert[pu], vert[pw] = w, u
					pos[u], pos[w] = pw, pu
				}
				bin[du]++
				deg[u]--
			}
		}
	}
	return deg
}
