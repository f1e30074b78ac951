import { bootBench } from "./bench/scale.bench.js";
for (const m of ["16G", "16G", "64G"]) console.log(JSON.stringify(bootBench(m, 3)));
