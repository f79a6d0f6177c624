#!/bin/sh
# Runs the comparison suite ROUNDS times, interleaved (every benchmark once
# per round, so slow drift on a busy machine hits all of them alike), then
# prints a benchstat table, the ratios the project's goals are stated in and
# the upstream call counts.
#
#   ROUNDS     rounds (default 6)
#   BENCHTIME  -benchtime per benchmark and round (default 1s)
#   BENCH      -bench pattern, to run part of the suite (default: all)
#   BENCHSTAT  benchstat binary (default: benchstat on PATH)
#   OUT        raw output file (default bench.out)
set -eu

ROUNDS=${ROUNDS:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.}
BENCHSTAT=${BENCHSTAT:-benchstat}
GO=${GO:-go}

root=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$root/bench.out}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "go:      $($GO env GOVERSION) $($GO env GOOS)/$($GO env GOARCH)"
echo "date:    $(date -u +%Y-%m-%d)"
echo

cd "$root/benchmarks"
$GO test -c -o "$tmp/benchmarks.test" .
: >"$OUT"
i=1
while [ "$i" -le "$ROUNDS" ]; do
	echo "round $i of $ROUNDS" >&2
	"$tmp/benchmarks.test" -test.run '^$' -test.bench "$BENCH" -test.benchmem \
		-test.benchtime "$BENCHTIME" -test.count 1 >>"$OUT"
	i=$((i + 1))
done

"$BENCHSTAT" clerkkit-vs-sdk="$OUT"
echo

# Ratios of medians; the range is that of the same ratio within each round
# (the two benchmarks of a pair ran seconds apart), so it shows the noise.
awk -v rounds="$ROUNDS" '
function median(a, n,    i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j-1] > b[j]; j--) { t = b[j]; b[j] = b[j-1]; b[j-1] = t }
	return n % 2 ? b[(n+1)/2] : (b[n/2] + b[n/2+1]) / 2
}
function has(name) { return (name in count) }
function med(name,    a, i) { for (i = 1; i <= count[name]; i++) a[i] = ns[name, i]; return median(a, count[name]) }
function allocs(name,    a, i) { for (i = 1; i <= count[name]; i++) a[i] = al[name, i]; return median(a, count[name]) }
# ratio prints num/den with its per-round range and the goal verdict.
function ratio(label, num, den, op, goal,    r, i, n, lo, hi, x, v) {
	if (!has(num) || !has(den)) { printf "%-58s  (missing)\n", label; return }
	n = count[num] < count[den] ? count[num] : count[den]
	lo = 1e18; hi = 0
	for (i = 1; i <= n; i++) { x = ns[num, i] / ns[den, i]; if (x < lo) lo = x; if (x > hi) hi = x }
	r = med(num) / med(den)
	v = (op == "<=") ? (r <= goal) : (r >= goal)
	printf "%-58s %8.2fx  (%.2f-%.2f)  goal %s %gx  %s\n", label, r, lo, hi, op, goal, v ? "met" : "MISSED"
}
function absolute(label, name, unit, goal,    v, x, i, lo, hi) {
	if (!has(name)) { printf "%-58s  (missing)\n", label; return }
	if (unit == "ns") {
		x = med(name); lo = 1e18; hi = 0
		for (i = 1; i <= count[name]; i++) { if (ns[name, i] < lo) lo = ns[name, i]; if (ns[name, i] > hi) hi = ns[name, i] }
		printf "%-58s %8.0fns (%.0f-%.0f)  goal <= %gns  %s\n", label, x, lo, hi, goal, x <= goal ? "met" : "MISSED"
	} else {
		x = allocs(name)
		printf "%-58s %8d allocs/op      goal <= %g  %s\n", label, x, goal, x <= goal ? "met" : "MISSED"
	}
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (f = 3; f < NF; f++) {
		if ($(f+1) == "ns/op") nsv = $f
		if ($(f+1) == "allocs/op") alv = $f
	}
	c = ++count[name]; ns[name, c] = nsv; al[name, c] = alv
}
END {
	V = "BenchmarkVerify/"; M = "BenchmarkMiddleware/"; G = "BenchmarkGetToken/"; T = "BenchmarkM2MTransport/"
	print "goal                                                         measured  (range in rounds)"
	absolute("getToken cache hit", G "impl=clerkkit-cache-hit", "ns", 1000)
	ratio("getToken without cache / bare net/http POST", G "impl=clerkkit", G "impl=floor-net-http", "<=", 1.15)
	ratio("getToken: SDK CreateToken / clerkkit (not a goal)", G "impl=clerk-sdk-go", G "impl=clerkkit", ">=", 1)
	ratio("fresh verify: SDK jwt.Verify / clerkkit", V "token=fresh/impl=clerk-sdk-go", V "token=fresh/impl=clerkkit", ">=", 1.5)
	ratio("fresh verify: clerkkit / floor", V "token=fresh/impl=clerkkit", V "token=fresh/impl=floor", "<=", 1.2)
	ratio("fresh verify, cache missing: clerkkit / floor", V "token=fresh/impl=clerkkit-cache-miss", V "token=fresh/impl=floor", "<=", 1.2)
	absolute("fresh verify allocs", V "token=fresh/impl=clerkkit", "allocs", 48)
	absolute("repeated verify", V "token=repeated/impl=clerkkit", "ns", 1000)
	absolute("repeated verify allocs", V "token=repeated/impl=clerkkit", "allocs", 2)
	ratio("repeated: SDK middleware / clerkkit middleware, pem", M "token=repeated/keys=pem/impl=clerk-sdk-go", M "token=repeated/keys=pem/impl=clerkkit", ">=", 50)
	ratio("repeated: SDK middleware / clerkkit middleware, jwks", M "token=repeated/keys=jwks/impl=clerk-sdk-go", M "token=repeated/keys=jwks/impl=clerkkit", ">=", 50)
	ratio("middleware fresh, pem: clerkkit / verify floor", M "token=fresh/keys=pem/impl=clerkkit", V "token=fresh/impl=floor", "<=", 1.4)
	ratio("middleware fresh, jwks: clerkkit / verify floor", M "token=fresh/keys=jwks/impl=clerkkit", V "token=fresh/impl=floor", "<=", 1.4)
	ratio("middleware fresh, pem: SDK / clerkkit", M "token=fresh/keys=pem/impl=clerk-sdk-go", M "token=fresh/keys=pem/impl=clerkkit", ">=", 1.5)
	ratio("middleware fresh, jwks: SDK / clerkkit", M "token=fresh/keys=jwks/impl=clerk-sdk-go", M "token=fresh/keys=jwks/impl=clerkkit", ">=", 1.5)
	absolute("M2M token source hit", "BenchmarkM2MTokenSourceHit", "ns", 100)
	absolute("M2M token source hit allocs", "BenchmarkM2MTokenSourceHit", "allocs", 0)
	ratio("M2M transport GET / bare http.Client GET, loopback", T "impl=clerkkit", T "impl=bare", "<=", 1.05)
	ratio("M2M transport GET / bare GET with the header by hand", T "impl=clerkkit", T "impl=bare+header", "<=", 1.05)
}' "$OUT"
echo

# The counts are asserted by TestCounts (clerkkit exactly, the SDK for
# sanity); -v prints the table it logs.
$GO test -count 1 -run '^TestCounts$' -v . | sed -n '/| upstream calls/,/^[[:space:]]*$/p' | sed 's/^[[:space:]]*//'
