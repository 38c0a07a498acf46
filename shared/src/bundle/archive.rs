//! Packs a [`Bundle`] as a zip or a gzip-compressed tar under one top folder
//! (`phaseplan-<phase>-<provider>/`). Every entry has the same fixed timestamp and mode, entries
//! are in path order, and the gzip header carries no time, so the same bundle always gives the
//! same bytes — in the browser and on the server.

use std::io::{Cursor, Write};

use super::{Bundle, MAX_FILE_BYTES, MAX_FILES};

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("a bundle holds at most {MAX_FILES} files; this one has {0}")]
    TooManyFiles(usize),
    #[error("{path} is {size} bytes; a bundle file may hold at most {MAX_FILE_BYTES}")]
    FileTooLarge { path: String, size: usize },
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the archive: {0}")]
    Io(#[from] std::io::Error),
}

/// The archive formats offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::TarGz => "tar.gz",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Zip => "application/zip",
            Format::TarGz => "application/gzip",
        }
    }

    /// The format for a file name's extension (`.zip`, `.tar.gz`).
    pub fn from_file_name(name: &str) -> Option<(&str, Format)> {
        name.strip_suffix(".zip")
            .map(|stem| (stem, Format::Zip))
            .or_else(|| {
                name.strip_suffix(".tar.gz")
                    .map(|stem| (stem, Format::TarGz))
            })
    }
}

/// The fixed modification time of every entry: 1980-01-01, the earliest a zip can hold.
const EPOCH_1980: u64 = 315_532_800;

fn check(bundle: &Bundle) -> Result<(), ArchiveError> {
    if bundle.files.len() > MAX_FILES {
        return Err(ArchiveError::TooManyFiles(bundle.files.len()));
    }
    if let Some(f) = bundle
        .files
        .iter()
        .find(|f| f.contents.len() > MAX_FILE_BYTES)
    {
        return Err(ArchiveError::FileTooLarge {
            path: f.path.clone(),
            size: f.contents.len(),
        });
    }
    Ok(())
}

/// Writes the bundle in `format`.
pub fn write(bundle: &Bundle, format: Format) -> Result<Vec<u8>, ArchiveError> {
    check(bundle)?;
    let mut files: Vec<_> = bundle.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let root = bundle.name();
    match format {
        Format::Zip => {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .last_modified_time(zip::DateTime::default())
                .unix_permissions(0o644);
            for f in files {
                zip.start_file(format!("{root}/{}", f.path), options)?;
                zip.write_all(f.contents.as_bytes())?;
            }
            Ok(zip.finish()?.into_inner())
        }
        Format::TarGz => {
            let gz = flate2::GzBuilder::new()
                .mtime(0)
                .write(Vec::new(), flate2::Compression::best());
            let mut tar = tar::Builder::new(gz);
            tar.mode(tar::HeaderMode::Deterministic);
            for f in files {
                let mut header = tar::Header::new_gnu();
                header.set_size(f.contents.len() as u64);
                header.set_mode(0o644);
                header.set_mtime(EPOCH_1980);
                header.set_uid(0);
                header.set_gid(0);
                header.set_entry_type(tar::EntryType::Regular);
                tar.append_data(
                    &mut header,
                    format!("{root}/{}", f.path),
                    f.contents.as_bytes(),
                )?;
            }
            let gz = tar.into_inner()?;
            Ok(gz.finish()?)
        }
    }
}
