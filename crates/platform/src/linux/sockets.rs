//! Who is at the other end of a loopback connection: the process holding the client's socket.
//! Boss uses it to protect the windows of the browser that shows it.

use std::fs;
use std::net::SocketAddr;

/// The PID of the process that owns the local TCP socket `client` connected to `server`
/// (both on this machine). `None` when no such socket is found or it is not readable.
pub fn loopback_peer(client: SocketAddr, server: SocketAddr) -> Option<u32> {
    let inode = socket_inode(client, server)?;
    let needle = format!("socket:[{inode}]");
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == needle.as_str()) {
                return Some(pid);
            }
        }
    }
    None
}

/// The inode of the socket whose local address is `client` and remote address is `server`.
fn socket_inode(client: SocketAddr, server: SocketAddr) -> Option<u64> {
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            let (Some(local), Some(remote)) = (fields.get(1), fields.get(2)) else {
                continue;
            };
            if parse(local).is_some_and(|a| same(a, client))
                && parse(remote).is_some_and(|a| same(a, server))
            {
                return fields
                    .get(9)?
                    .parse()
                    .ok()
                    .filter(|&inode: &u64| inode != 0);
            }
        }
    }
    None
}

/// Equal, treating IPv4-mapped IPv6 addresses as their IPv4 form.
fn same(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
}

fn parse(text: &str) -> Option<SocketAddr> {
    let (addr, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip: std::net::IpAddr = match addr.len() {
        8 => std::net::Ipv4Addr::from(u32::from_str_radix(addr, 16).ok()?.to_le_bytes()).into(),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in addr.as_bytes().chunks(8).enumerate() {
                let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            std::net::Ipv6Addr::from(bytes).into()
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_owner_of_a_loopback_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = listener.local_addr().unwrap();
        let stream = std::net::TcpStream::connect(server).unwrap();
        let client = stream.local_addr().unwrap();
        let (_accepted, _) = listener.accept().unwrap();
        assert_eq!(loopback_peer(client, server), Some(std::process::id()));
        let elsewhere: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(loopback_peer(client, elsewhere), None);
    }
}
