// Documents in the page: which ones are shown here and how, their size in words, and the PDF
// renderer (pdf.js, from the app's own files: its worker is an asset of the build, no remote
// content; the document's own scripts never run: pdf.js's scripting sandbox is not loaded, and
// eval is off).
import type { Lang } from './bindings';

/** How the window shows a document of this media type. */
export type View = 'image' | 'pdf' | 'none';

export function viewOf(mediaType: string): View {
  if (mediaType === 'image/png' || mediaType === 'image/jpeg') return 'image';
  if (mediaType === 'application/pdf') return 'pdf';
  return 'none';
}

/** « 820 ko », « 1,4 Mo » / "820 kB", "1.4 MB": decimal units, as file managers show them
 * (the same words as the CLI's `lang::file_size`). */
export function formatSize(bytes: number, lang: Lang): string {
  const fr = lang === 'fr';
  const sp = fr ? '\u00a0' : ' ';
  if (bytes < 1000) return `${bytes}${sp}${fr ? 'o' : 'B'}`;
  const [value, unit] =
    bytes < 1e6 ? [bytes / 1e3, fr ? 'ko' : 'kB'] : bytes < 1e9 ? [bytes / 1e6, fr ? 'Mo' : 'MB'] : [bytes / 1e9, fr ? 'Go' : 'GB'];
  const text = value < 10 ? value.toFixed(1) : value.toFixed(0);
  return `${fr ? text.replace('.', ',') : text}${sp}${unit}`;
}

/** An image's bytes as a `data:` URL (the CSP allows `data:` images; nothing is written). */
export function dataUrl(bytes: ArrayBuffer, mediaType: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob([bytes], { type: mediaType }));
  });
}

/** The most pages drawn at once: a 300-page court file is read page by page in another program. */
export const MAX_PAGES = 30;

/** Draws the PDF's first pages into `into`, one canvas each; returns how many pages it has. */
export async function renderPdf(bytes: ArrayBuffer, into: HTMLElement, width: number): Promise<number> {
  const pdfjs = await import('pdfjs-dist');
  const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    // Fonts a PDF names without embedding them are drawn with the computer's own: fetching
    // pdf.js's font files would need the CSP to allow fetches from the app (it allows none).
    useSystemFonts: true,
  }).promise;
  try {
    into.replaceChildren();
    for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES); n++) {
      const page = await doc.getPage(n);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: Math.max(0.5, Math.min(3, width / base.width)) });
      const canvas = document.createElement('canvas');
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `page ${n}`);
      canvas.dataset.testid = 'pdf-page';
      into.appendChild(canvas);
      const ctx = canvas.getContext('2d');
      if (ctx) await page.render({ canvasContext: ctx, viewport }).promise;
    }
    return doc.numPages;
  } finally {
    await doc.destroy();
  }
}
