//! `frontline completions SHELL` and `frontline man`: the command line describing itself.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;

/// `frontline completions SHELL`: the completion script on stdout.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "frontline", &mut out);
    out.flush()?;
    Ok(())
}

/// `frontline man [--out DIR]`: the main page on stdout, or every page into DIR.
pub(super) fn man_pages(out_dir: Option<&Path>) -> Result<()> {
    let cmd = Cli::command();
    match out_dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            let mut cmd = cmd.disable_help_subcommand(true);
            cmd.build();
            let pages = write_pages(cmd, dir)?;
            println!("Wrote {pages} man pages to {}", dir.display());
        }
    }
    Ok(())
}

/// Writes the page of `cmd` and of each of its visible subcommands into `dir`, as
/// `clap_mangen::generate_to` names them; returns how many. Each file is created as an
/// export is (never through a link planted in the folder, never into a FIFO), which
/// `generate_to` does not do.
fn write_pages(cmd: clap::Command, dir: &Path) -> Result<usize> {
    let mut written = 0;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        written += write_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd);
    let path = dir.join(man.get_filename());
    let mut file = std::io::BufWriter::new(crate::export::create_with_mode(&path, 0o644)?);
    man.render(&mut file).and_then(|()| file.flush()).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(written + 1)
}
