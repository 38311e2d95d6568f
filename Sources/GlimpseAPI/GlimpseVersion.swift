/// The one version constant: `glimpse --version`, `glimpsed --version` and `GET /v1/status` all print this.
public enum GlimpseVersion {
    public static let current = "0.1.0"
}
