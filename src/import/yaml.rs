//! YAML front matter, parsed without expanding aliases.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, ScanError};
use yaml_rust2::{Yaml, YamlLoader};

/// Parses YAML front matter into its documents; the error completes "front matter …" and
/// names the line as an editor shows it, `first_line` being the file's line the front
/// matter starts on (2, after the opening `---`).
///
/// A document that uses an alias (`*name`) is refused before it is built: each alias copies
/// what it names, so nine lines of aliases of aliases make a billion copies — a 367-byte page
/// made the import run out of memory and abort. Front matter has no need for aliases.
pub fn load_front_matter(text: &str, first_line: usize) -> Result<Vec<Yaml>, String> {
    // The parser counts lines from 1 within the front matter.
    let line = |mark: &Marker| mark.line() + first_line - 1;
    let invalid = |e: &ScanError| {
        format!("line {}, column {}: is not valid YAML: {}", line(e.marker()), e.marker().col() + 1, e.info())
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::Alias(_), mark)) => {
                return Err(format!(
                    "line {}: uses a YAML alias (*name), which front matter has no need for",
                    line(&mark)
                ));
            }
            Ok((Event::StreamEnd, _)) => break,
            Ok(_) => {}
            Err(e) => return Err(invalid(&e)),
        }
    }
    YamlLoader::load_from_str(text).map_err(|e| invalid(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_refused_before_they_are_expanded() {
        let mut laughs = vec!["a: &a [x,x,x,x,x,x,x,x,x]".to_string()];
        let mut prev = 'a';
        for n in "bcdefghi".chars() {
            laughs.push(format!("{n}: &{n} [{}]", vec![format!("*{prev}"); 9].join(",")));
            prev = n;
        }
        let err = load_front_matter(&laughs.join("\n"), 2).err();
        assert_eq!(err.as_deref(), Some("line 3: uses a YAML alias (*name), which front matter has no need for"));
        let ok = load_front_matter("title: Returns\ntags: [a, b]\n", 2).ok();
        assert_eq!(
            ok.and_then(|d| d.first().and_then(|y| y["title"].as_str().map(str::to_string))).as_deref(),
            Some("Returns")
        );
        // The line as an editor shows it: the file's line 3 is the front matter's second.
        let err = load_front_matter("title: ok\ntags: [unclosed\n", 2).unwrap_err();
        assert!(err.starts_with("line 4, column 1: is not valid YAML: "), "{err}");
    }
}
