//! The files `classify` reads: the paths given, folders listed recursively
//! in sorted order, and each file's bytes read with as few system calls as
//! the kernel allows. Over ten thousand small files, opening and reading
//! them was a fifth of the whole run's time (docs/performance.md).

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{Mode, OFlags};

/// A folder being read: its open handle, which its files are opened
/// relative to (the kernel then looks up one name, not every folder of the
/// path again), and its path, for a file that has to be opened again.
pub(super) struct Folder {
    fd: OwnedFd,
    path: PathBuf,
}

/// A file to classify.
pub(super) enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A path as given: perhaps a pipe or a device, read to its end.
    Path(PathBuf),
    /// A regular file found in a folder.
    InFolder(Arc<Folder>, OsString),
    /// What made a path or folder unreadable.
    Unreadable(String),
}

impl Input {
    /// The file's path, to open it again (a file too large to hold is
    /// streamed by the main thread).
    pub(super) fn path(&self) -> Option<PathBuf> {
        match self {
            Input::Path(path) => Some(path.clone()),
            Input::InFolder(folder, name) => Some(folder.path.join(name)),
            Input::Stdin | Input::Unreadable(_) => None,
        }
    }

    /// The whole file, unless it is larger than `limit` bytes (`None`).
    pub(super) fn read(&self, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            Input::Path(path) => read_to_end(File::open(path)?, Vec::new(), limit),
            Input::InFolder(folder, name) => {
                let fd = rustix::fs::openat(
                    &folder.fd,
                    name.as_os_str(),
                    OFlags::RDONLY | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                read_regular(fd, limit)
            }
            Input::Stdin | Input::Unreadable(_) => Err(std::io::Error::other("not a file")),
        }
    }
}

/// The files a path names, each with the label it gets in the output: the
/// path relative to a folder given, or the path as given.
pub(super) fn inputs(path: &Path) -> Vec<(String, Input)> {
    if path.as_os_str() == "-" {
        return vec![("-".into(), Input::Stdin)];
    }
    let label = path.to_string_lossy().into_owned();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, "", &mut files);
        return files;
    }
    if path.exists() {
        vec![(label, Input::Path(path.to_path_buf()))]
    } else {
        vec![(label, Input::Unreadable("no such file or folder".into()))]
    }
}

/// The files under `dir` in sorted path order: each folder's entries sorted
/// by name and visited in that order, which is the order of the whole paths
/// compared part by part. Labels are `prefix` and the names below it.
/// Symbolic links and other special files are left out, as before.
fn walk(dir: &Path, prefix: &str, files: &mut Vec<(String, Input)>) {
    let unreadable = |files: &mut Vec<(String, Input)>, e: std::io::Error| {
        let label = if prefix.is_empty() {
            dir.to_string_lossy().into_owned()
        } else {
            prefix.trim_end_matches('/').to_owned()
        };
        files.push((label, Input::Unreadable(e.to_string())));
    };
    let opened = rustix::fs::open(dir, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty());
    let (fd, entries) = match opened
        .map_err(std::io::Error::from)
        .and_then(|fd| Ok((fd, std::fs::read_dir(dir)?)))
    {
        Ok(both) => both,
        Err(e) => return unreadable(files, e),
    };
    let folder = Arc::new(Folder {
        fd,
        path: dir.to_path_buf(),
    });
    let mut entries: Vec<(OsString, Result<std::fs::FileType, String>)> = entries
        .flatten()
        .map(|entry| (entry.file_name(), entry.file_type().map_err(|e| e.to_string())))
        .collect();
    // Names in one folder differ, so an unstable sort gives the one order.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in entries {
        let label = format!("{prefix}{}", name.to_string_lossy());
        match kind {
            Ok(t) if t.is_dir() => walk(&dir.join(&name), &format!("{label}/"), files),
            Ok(t) if t.is_file() => files.push((label, Input::InFolder(Arc::clone(&folder), name))),
            Ok(_) => {}
            Err(e) => files.push((label, Input::Unreadable(e))),
        }
    }
}

/// How much of a file the first read asks for: nine in ten bounces are
/// smaller (docs/performance.md), so most files take one read.
const FIRST_READ: usize = 32 * 1024;

/// Reads a regular file found in a folder. POSIX `read(2)`: a read from a
/// regular file returns fewer bytes than asked only at the end of the file
/// (or when a signal interrupts it, which Linux does not do to reads from
/// a local file's cached pages). So a short first read is the whole file,
/// and the second read that would only learn "end of file" is saved: one
/// system call of four per file.
fn read_regular(fd: OwnedFd, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let first = usize::try_from(limit.saturating_add(1)).map_or(FIRST_READ, |l| l.min(FIRST_READ));
    let mut bytes = Vec::with_capacity(first);
    let got = loop {
        match rustix::io::read(&fd, rustix::buffer::spare_capacity(&mut bytes)) {
            Ok(got) => break got,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    if got < first {
        return Ok((bytes.len() as u64 <= limit).then_some(bytes));
    }
    read_to_end(File::from(fd), bytes, limit)
}

/// Reads on from `bytes` to the end, or to one byte past `limit` (`None`).
/// No `stat`: reading with a limit answers the size question too.
fn read_to_end(file: File, mut bytes: Vec<u8>, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let left = limit.saturating_add(1).saturating_sub(bytes.len() as u64);
    if bytes.capacity() == 0 {
        bytes.reserve(16 * 1024);
    }
    file.take(left).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(files: &[(&str, usize)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, size) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
            let bytes: Vec<u8> = (0..*size).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(path, bytes).expect("write");
        }
        dir
    }

    #[test]
    fn a_folder_lists_its_files_in_path_order_with_relative_labels() {
        // Arrange
        let dir = folder_with(&[
            ("b.eml", 1),
            ("a/z.eml", 1),
            ("a/b/c.eml", 1),
            ("a.eml", 1),
            ("B.eml", 1),
        ]);

        // Act
        let labels: Vec<String> = inputs(dir.path()).into_iter().map(|(label, _)| label).collect();

        // Assert
        assert_eq!(labels, ["B.eml", "a/b/c.eml", "a/z.eml", "a.eml", "b.eml"]);
    }

    #[test]
    fn files_of_every_size_around_the_first_read_are_read_whole() {
        // Arrange
        let sizes = [0, 1, FIRST_READ - 1, FIRST_READ, FIRST_READ + 1, 3 * FIRST_READ + 7];
        let names: Vec<String> = sizes.iter().map(|s| format!("m{s:08}.eml")).collect();
        let spec: Vec<(&str, usize)> = names.iter().map(String::as_str).zip(sizes).collect();
        let dir = folder_with(&spec);

        // Act
        let read: Vec<usize> = inputs(dir.path())
            .iter()
            .map(|(_, input)| input.read(u64::MAX).expect("read").expect("under the limit").len())
            .collect();

        // Assert
        assert_eq!(read, sizes);
    }

    #[test]
    fn a_file_over_the_limit_is_not_held_whatever_the_limit() {
        // Arrange
        let dir = folder_with(&[("m.eml", FIRST_READ + 10)]);
        let inputs = inputs(dir.path());
        let (_, input) = &inputs[0];

        // Act / Assert
        for limit in [0, 5, FIRST_READ as u64, FIRST_READ as u64 + 9] {
            assert!(input.read(limit).expect("read").is_none(), "limit {limit}");
        }
        for limit in [FIRST_READ as u64 + 10, u64::MAX] {
            assert_eq!(input.read(limit).expect("read").map(|b| b.len()), Some(FIRST_READ + 10));
        }
    }
}
