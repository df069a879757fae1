//! Reading input line by line with a bound on a line's length, so a
//! crafted file cannot take unbounded memory: a longer line is refused
//! (and skipped unread), and the next one is read.

use std::io::{BufRead, Read};

/// The longest line read (a webhook body is one line of JSON); a longer one
/// is rejected and skipped.
pub const MAX_LINE: usize = 16 << 20;

/// The next line (without its end), or why it cannot be read: not UTF-8,
/// or longer than [`MAX_LINE`] (the rest of it is skipped unread into
/// memory). `None` at the end of the input.
pub fn next_line<'b>(
    reader: &mut impl BufRead,
    buf: &'b mut Vec<u8>,
) -> std::io::Result<Option<Result<&'b str, String>>> {
    buf.clear();
    let read = reader.by_ref().take(MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    if read == 0 {
        return Ok(None);
    }
    if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
        // Skip to the end of this line in bounded steps.
        let mut skip = Vec::new();
        loop {
            skip.clear();
            let n = reader.by_ref().take(64 * 1024).read_until(b'\n', &mut skip)?;
            if n == 0 || skip.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(Err(format!("longer than {MAX_LINE} bytes"))));
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(
        std::str::from_utf8(buf).map_err(|_| "is not UTF-8 text".to_owned()),
    ))
}

/// A reader that fails once a line grows past [`MAX_LINE`] bytes, so a CSV
/// record (which the csv crate holds whole) stays bounded.
pub struct BoundedLines<R> {
    inner: R,
    run: usize,
}

impl<R> BoundedLines<R> {
    /// Bounds the lines of `inner`.
    pub fn new(inner: R) -> Self {
        Self { inner, run: 0 }
    }
}

impl<R: Read> Read for BoundedLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for byte in &buf[..n] {
            self.run = if *byte == b'\n' { 0 } else { self.run + 1 };
            if self.run > MAX_LINE {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("a line is longer than {MAX_LINE} bytes"),
                ));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    #[test]
    fn long_lines_are_refused_without_reading_them_whole_and_the_next_is_read() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nnext line\r\n");
        let mut reader = BufReader::new(input.as_slice());
        let mut buf = Vec::new();

        let first = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("a line")
            .map(str::to_owned);
        let second = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("a line")
            .map(str::to_owned);
        let end = next_line(&mut reader, &mut buf).expect("read").is_none();

        assert!(first.is_err_and(|e| e.contains("longer than")));
        assert_eq!(second.as_deref(), Ok("next line"));
        assert!(end);
        assert!(buf.capacity() <= MAX_LINE * 2 + 1, "the long line was not held whole");
    }

    #[test]
    fn bytes_that_are_not_text_are_refused_by_line() {
        let mut reader = BufReader::new(&b"ok\n\xff\xfe\n"[..]);
        let mut buf = Vec::new();

        let first = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("line")
            .map(str::to_owned);
        let second = next_line(&mut reader, &mut buf)
            .expect("read")
            .expect("line")
            .map(str::to_owned);

        assert_eq!(first.as_deref(), Ok("ok"));
        assert!(second.is_err());
    }
}
