import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGB raster, drawn into with `fillRect`, encoded as a PNG by `encodePng` (pure JS + zlib). */
export class Raster {
  readonly pixels: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
    background: [number, number, number] = [255, 255, 255],
  ) {
    this.pixels = Buffer.alloc(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x: number, y: number, w: number, h: number, [r, g, b]: [number, number, number]): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.pixels[i] = r;
        this.pixels[i + 1] = g;
        this.pixels[i + 2] = b;
      }
    }
  }

  encodePng(): Buffer {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: truecolour RGB
    const rows = Buffer.alloc((this.width * 3 + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      // Filter byte 0 (none) per scanline, then the row's pixels.
      this.pixels.copy(rows, y * (this.width * 3 + 1) + 1, y * this.width * 3, (y + 1) * this.width * 3);
    }
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

const PALETTE: Array<[number, number, number]> = [
  [59, 130, 246],
  [16, 185, 129],
  [245, 158, 11],
  [239, 68, 68],
  [139, 92, 246],
  [236, 72, 153],
];

/**
 * A bar chart as PNG: one bar per value, stacked by series (e.g. tokens per day and provider).
 * Labels live in the email next to the image (colour legend), so no font rendering is needed.
 */
export function renderStackedBars(stacks: number[][], width = 640, height = 240): Buffer {
  const raster = new Raster(width, height);
  const pad = 16;
  const max = Math.max(1, ...stacks.map((s) => s.reduce((a, b) => a + b, 0)));
  const slot = (width - 2 * pad) / Math.max(1, stacks.length);
  raster.fillRect(pad, height - pad, width - 2 * pad, 1, [148, 163, 184]);
  stacks.forEach((stack, i) => {
    let top = height - pad;
    stack.forEach((value, k) => {
      const h = ((height - 2 * pad) * value) / max;
      top -= h;
      raster.fillRect(
        pad + i * slot + slot * 0.15,
        top,
        slot * 0.7,
        h,
        PALETTE[k % PALETTE.length] as [number, number, number],
      );
    });
  });
  return raster.encodePng();
}

export function paletteHex(index: number): string {
  const [r, g, b] = PALETTE[index % PALETTE.length] as [number, number, number];
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
