//! A minimal valid one-page PDF, padded to a chosen size, for demo receipts and reports.

/// Escapes a PDF literal string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

fn build(lines: &[String], padding: usize) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 16 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", escape(line)));
    }
    content.push_str("ET\n");
    let mut content = content.into_bytes();
    // Padding as PDF comments: cheap, and still a valid content stream.
    const FILLER: &[u8] = b"% mailgate demo padding ........................................\n";
    let mut left = padding;
    while left > 0 {
        let n = left.min(FILLER.len());
        if n < 3 {
            content.resize(content.len() + n, b'\n');
        } else {
            content.extend_from_slice(&FILLER[..n - 1]);
            content.push(b'\n');
        }
        left -= n;
    }

    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        {
            let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            stream.extend_from_slice(&content);
            stream.extend_from_slice(b"\nendstream");
            stream
        },
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A one-page PDF showing `lines`, of about `target` bytes (never less).
pub(crate) fn pdf(target: usize, lines: &[String]) -> Vec<u8> {
    let bare = build(lines, 0);
    if bare.len() >= target {
        return bare;
    }
    // The /Length and xref numbers may grow by a few digits with padding.
    let padded = build(lines, target - bare.len());
    if padded.len() >= target {
        padded
    } else {
        build(lines, target - bare.len() + (target - padded.len()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pdf_is_well_formed_and_sized() {
        let lines = vec!["Receipt #42 (paid)".to_owned(), "Total: 12.00 EUR".to_owned()];
        for target in [1024, 10_000, 2_500_000] {
            let doc = pdf(target, &lines);
            assert!(doc.starts_with(b"%PDF-1.4"));
            assert!(doc.ends_with(b"%%EOF\n"));
            assert!(doc.len() >= target && doc.len() < target + 16, "{target} -> {}", doc.len());
            // startxref points at the xref table.
            let text = String::from_utf8_lossy(&doc);
            let start: usize = text
                .rsplit("startxref\n")
                .next()
                .and_then(|s| s.lines().next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            assert!(doc[start..].starts_with(b"xref\n"));
            // Every xref entry points at its object.
            let table = std::str::from_utf8(&doc[start..]).unwrap_or_default();
            for (i, line) in table.lines().skip(3).take(5).enumerate() {
                let offset: usize = line[..10].parse().unwrap_or(0);
                assert!(doc[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
            }
        }
    }
}
