/// What this build is: the version `apipodctl --version` prints and `apipod_build_info` labels.
public enum BuildInfo {
    public static let version = "0.1.0"
}
