//! Aligned text tables for people (machines get `--json`).

/// On a terminal, lines are cut at its width (`COLUMNS`, else 120) like `ps` does; piped
/// output keeps them whole.
fn line_limit() -> Option<usize> {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal().then(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|&c| c > 20)
            .unwrap_or(120)
    })
}

/// Prints rows under a header, each column as wide as its widest cell. The last column is not
/// padded (it is often a long command line).
pub fn print(header: &[&str], rows: &[Vec<String>]) {
    let limit = line_limit();
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == columns {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        let out = out.trim_end();
        match limit {
            Some(limit) if out.chars().count() > limit => {
                println!("{}", out.chars().take(limit).collect::<String>())
            }
            _ => println!("{out}"),
        }
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// `1.5 GiB`, `12.0 MiB`, `640 KiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[0])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `3h 05m`, `4m 10s`, `12s`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        s if s >= 3600 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(2048), "2 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(duration(65_000), "1m 05s");
        assert_eq!(duration(3_700_000), "1h 01m");
        assert_eq!(duration(-5), "0s");
    }
}
