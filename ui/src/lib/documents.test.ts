import { describe, expect, it } from 'vitest';
import { formatSize, viewOf } from './documents';

describe('documents', () => {
  it('shows PNG, JPEG and PDF in the window, nothing else', () => {
    expect(viewOf('image/png')).toBe('image');
    expect(viewOf('image/jpeg')).toBe('image');
    expect(viewOf('application/pdf')).toBe('pdf');
    expect(viewOf('image/svg+xml')).toBe('none');
    expect(viewOf('text/html')).toBe('none');
    expect(viewOf('application/octet-stream')).toBe('none');
  });

  it('says sizes as the CLI does, Quebec style', () => {
    expect(formatSize(820, 'fr')).toBe('820\u00a0o');
    expect(formatSize(1_450_000, 'fr')).toBe('1,4\u00a0Mo');
    expect(formatSize(1_450_000, 'en')).toBe('1.4 MB');
    expect(formatSize(20_000_000, 'fr')).toBe('20\u00a0Mo');
    expect(formatSize(70_000, 'en')).toBe('70 kB');
  });
});
