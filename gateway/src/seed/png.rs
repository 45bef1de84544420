//! A tiny PNG encoder (stored deflate blocks, no compression) for demo images.
//!
//! Hand-written rather than pulling in an image crate: the demo only needs
//! valid RGB images of a chosen size, and stored blocks make the size exact
//! to within one row.

/// CRC-32 (IEEE) lookup table, as PNG chunks need.
const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
    }
    c ^ 0xFFFF_FFFF
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// A valid RGB PNG of at least `target` bytes (and less than one row more):
/// a colour gradient picked by `seed`.
pub(crate) fn png(target: usize, seed: u64) -> Vec<u8> {
    const OVERHEAD: usize = 8 + 25 + 12 + 6 + 12;
    let width: usize = if target < 64 * 1024 { 32 } else { 256 };
    let row = 1 + 3 * width;
    let payload = target.saturating_sub(OVERHEAD);
    // Each stored block costs 5 bytes per 65535 of data.
    let blocks_cost = 5 * (payload / 65535 + 1);
    let height = payload.saturating_sub(blocks_cost).div_ceil(row).max(1);

    let [r0, g0, b0, ..] = seed.to_le_bytes();
    let mut pixels = Vec::with_capacity(row * height);
    for y in 0..height {
        pixels.push(0); // filter: none
        let gy = (y * 255 / height) as u8;
        for x in 0..width {
            let gx = (x * 255 / width) as u8;
            pixels.extend_from_slice(&[gx ^ r0, gy ^ g0, gx.wrapping_add(gy) ^ b0]);
        }
    }

    let mut zlib = Vec::with_capacity(pixels.len() + blocks_cost + 6);
    zlib.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = pixels.chunks(65535).peekable();
    if blocks.peek().is_none() {
        zlib.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = block.len() as u16;
        zlib.push(last);
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&pixels).to_be_bytes());

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace

    let mut out = Vec::with_capacity(zlib.len() + OVERHEAD);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_adler_match_known_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn png_has_signature_and_size() {
        for target in [1024, 5000, 70_000, 300_000] {
            let img = png(target, 7);
            assert!(img.starts_with(b"\x89PNG\r\n\x1a\n"));
            assert!(img.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND crc");
            assert!(img.len() >= target && img.len() < target + 1024, "{target} -> {}", img.len());
        }
    }
}
