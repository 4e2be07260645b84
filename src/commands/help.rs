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
            clap_mangen::generate_to(cmd, dir).with_context(|| format!("{}: cannot write man pages", dir.display()))?;
            let pages = std::fs::read_dir(dir)
                .with_context(|| format!("{}: cannot read", dir.display()))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "1"))
                .count();
            println!("Wrote {pages} man pages to {}", dir.display());
        }
    }
    Ok(())
}
