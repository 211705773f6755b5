// jshot.js — a hot JavaScript function for node --perf-basic-prof (t_jit_runtimes).
// Usage: node --perf-basic-prof jshot.js SECONDS
function hotLoop(n) {
	let x = 0;
	for (let i = 0; i < n; i++)
		x += Math.sqrt(i) * 1.0001;
	return x;
}

const end = Date.now() + 1000 * Number(process.argv[2] || 2);
let s = 0;
while (Date.now() < end)
	s += hotLoop(100000);
if (s < 0)
	console.log(s);
