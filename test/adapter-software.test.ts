// Which adapters 'auto' treats as software (and so passes over for the CPU backend). The adapter strings are
// what the drivers report through Dawn on this machine (SwiftShader from chromium 156, lavapipe from Mesa 25.0.7
// in bookworm-backports; see README "Testing without a GPU") and, for hardware, what Chrome reports on real GPUs.
import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from '../src/backends/webgpu/device.ts';

describe('isSoftwareAdapter', () => {
  it('SwiftShader and lavapipe are software, flagged or not', () => {
    const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' };
    const lavapipe = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1' };
    for (const a of [swiftshader, lavapipe]) {
      expect(isSoftwareAdapter({ ...a, isFallbackAdapter: true })).toBe(true);
      // browsers and older Dawn builds leave the flag false for lavapipe: the names still say it
      expect(isSoftwareAdapter({ ...a, isFallbackAdapter: false })).toBe(true);
    }
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', architecture: '', description: 'Microsoft Basic Render Driver' })).toBe(true);
  });

  it('hardware adapters, Mesa hardware drivers included, are not', () => {
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4070', isFallbackAdapter: false })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: '' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'gen-12lp', description: 'Intel(R) Xe Graphics (TGL GT2) (Mesa 25.0.7)' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7800 XT (RADV NAVI32)' })).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
  });
});
