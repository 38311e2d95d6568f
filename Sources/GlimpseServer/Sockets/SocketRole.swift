/// Which of the daemon's two sockets a server listens on. The query socket may be opened to a group of users;
/// only the admin socket changes the catalog.
public enum SocketRole: String, Sendable {
    case query, admin
}
