// The part of pngjs (a third-party PNG codec, here through qrcode) the baking tests use: it ships no types.
declare module "pngjs" {
  export interface PngImage {
    width: number;
    height: number;
    data: Uint8Array;
  }
  export const PNG: {
    new (options: { width: number; height: number }): PngImage;
    sync: { read(buffer: Uint8Array): PngImage; write(png: PngImage): Uint8Array };
  };
}
