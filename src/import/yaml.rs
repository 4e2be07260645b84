//! YAML front matter, parsed without expanding aliases.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

/// Parses YAML front matter into its documents; the error completes "front matter …".
///
/// A document that uses an alias (`*name`) is refused before it is built: each alias copies
/// what it names, so nine lines of aliases of aliases make a billion copies — a 367-byte page
/// made the import run out of memory and abort. Front matter has no need for aliases.
pub fn load_front_matter(text: &str) -> Result<Vec<Yaml>, String> {
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::Alias(_), mark)) => {
                return Err(format!(
                    "uses a YAML alias (*name) at line {}, which front matter has no need for",
                    mark.line()
                ));
            }
            Ok((Event::StreamEnd, _)) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("is not valid YAML: {e}")),
        }
    }
    YamlLoader::load_from_str(text).map_err(|e| format!("is not valid YAML: {e}"))
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
        let err = load_front_matter(&laughs.join("\n")).err();
        assert_eq!(err.as_deref(), Some("uses a YAML alias (*name) at line 2, which front matter has no need for"));
        let ok = load_front_matter("title: Returns\ntags: [a, b]\n").ok();
        assert_eq!(
            ok.and_then(|d| d.first().and_then(|y| y["title"].as_str().map(str::to_string))).as_deref(),
            Some("Returns")
        );
        assert!(load_front_matter("title: [unclosed\n").is_err_and(|e| e.starts_with("is not valid YAML")));
    }
}
