//! QR codes: SVG (TOTP enrolment, tickets on screen) and PNG (inline image in emails,
//! which rarely display SVG).

use qrcode::render::svg;
use qrcode::{Color, QrCode};

/// Pixels per module in PNGs.
const PNG_SCALE: usize = 6;
/// Quiet zone around the code, in modules.
const QUIET_MODULES: usize = 4;

/// An SVG image of `data`.
///
/// # Errors
/// When `data` is too long for a QR code.
pub fn svg(data: &str) -> Result<String, String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| format!("qr code: {e}"))?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// A black-and-white PNG of `data`: one bit per pixel, so the image is small to compress
/// and to send (a booking email carries one).
///
/// # Errors
/// When `data` is too long for a QR code, or encoding fails.
pub fn png(data: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| format!("qr code: {e}"))?;
    let width = code.width();
    let side = (width + 2 * QUIET_MODULES) * PNG_SCALE;
    let pixels = bit_rows(&code.to_colors(), width, side);
    let side_u32 = u32::try_from(side).map_err(|_| "qr code too large".to_owned())?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(|e| format!("png: {e}"))?;
    writer.write_image_data(&pixels).map_err(|e| format!("png: {e}"))?;
    writer.finish().map_err(|e| format!("png: {e}"))?;
    Ok(out)
}

/// The image's rows, `side` pixels of one bit each (1 white, 0 black, the first pixel in
/// the high bit), every row padded to whole bytes as PNG wants: the `width`² modules
/// scaled by [`PNG_SCALE`] inside a quiet zone of [`QUIET_MODULES`].
fn bit_rows(colors: &[Color], width: usize, side: usize) -> Vec<u8> {
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xFF_u8; row_bytes * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (index % width + QUIET_MODULES, index / width + QUIET_MODULES);
        for dy in 0..PNG_SCALE {
            let row = (y * PNG_SCALE + dy) * row_bytes;
            for px in x * PNG_SCALE..(x + 1) * PNG_SCALE {
                pixels[row + px / 8] &= !(0x80 >> (px % 8));
            }
        }
    }
    pixels
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg_and_png() {
        let svg = super::svg("K7QM-2XD9").expect("svg");
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let png = super::png("K7QM-2XD9").expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    /// Decodes the PNG and compares the centre pixel of every module, and the quiet zone,
    /// with the code's own modules.
    #[test]
    fn the_png_shows_every_module_of_the_code() {
        let data = "K7QM-2XD9";
        let bytes = super::png(data).expect("png");
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG");
        let mut image = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut image).expect("a frame");
        assert_eq!((frame.color_type, frame.bit_depth), (png::ColorType::Grayscale, png::BitDepth::One));
        let code = qrcode::QrCode::new(data.as_bytes()).expect("code");
        let width = code.width();
        let side = (width + 2 * super::QUIET_MODULES) * super::PNG_SCALE;
        assert_eq!((frame.width as usize, frame.height as usize), (side, side));
        let black = |x: usize, y: usize| image[y * frame.line_size + x / 8] & (0x80 >> (x % 8)) == 0;
        let centre = |module: usize| (module + super::QUIET_MODULES) * super::PNG_SCALE + super::PNG_SCALE / 2;
        for (index, color) in code.to_colors().iter().enumerate() {
            let (x, y) = (centre(index % width), centre(index / width));
            assert_eq!(black(x, y), *color == qrcode::Color::Dark, "module {index}");
        }
        assert!((0..side).all(|i| !black(i, 0) && !black(0, i) && !black(i, side - 1) && !black(side - 1, i)));
    }
}
