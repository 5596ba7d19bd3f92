/**
 * How far inside productBound (src/verify/tolerance.ts) a correct kernel's error must stay, shared by
 * webgpu-matmul.test.ts (every kernel on SwiftShader) and verify-tolerance.test.ts (which pins the bound's
 * formula and shows a less accurate summation breaks this limit).
 *
 * The worst |gpu − ref| / productBound(R, Σ|a·b|) over a sum of R terms may be 0.02 + 1/(2R). Rounding the
 * result to float32 alone costs up to 2⁻²⁴·Σ|a·b|, which is 1/(8R) of the bound, and a handful of such
 * roundings (products, the 8-bit operands' conversion) are unavoidable, hence the 1/(2R) for short sums; long
 * sums stay far inside (errors grow like √R, the bound like R). Measured on SwiftShader, every kernel and form:
 * float32 0.107 at R = 3, 0.035 at R = 9, 0.015 at R = 13, ≤ 0.005 from R = 65, 3.7e-4 at R = 784;
 * 8-bit operands 0.137 at R = 3, 0.041 at R = 9, 0.021 at R = 13.
 */
export const worstRatio = (R: number): number => 0.02 + 1 / (2 * R);
