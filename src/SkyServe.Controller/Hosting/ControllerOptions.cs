using SkyServe.Core.Security;

namespace SkyServe.Controller.Hosting;

/// <summary>The controller's settings: section "SkyServe" of configuration, or flags of `skyserve local start`.</summary>
public sealed class ControllerOptions
{
    /// <summary>
    /// Where the SQLite database, the generated API token and the local runtime's state (local/) live. Controllers
    /// sharing PostgreSQL and this directory share the local runtime's machines.
    /// </summary>
    public string DataDirectory { get; set; } = SkyServeHome.DefaultDataDirectory;

    /// <summary>When set, PostgreSQL is used instead of the embedded SQLite file.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>A file holding <see cref="PostgresConnectionString"/> (with its password), kept out of `ps` and of the environment.</summary>
    public string? PostgresConnectionStringFile { get; set; }

    /// <summary>The bearer token for the API. When unset, one is generated on first start and kept in the data directory.</summary>
    public string? ApiToken { get; set; }

    /// <summary>A file holding <see cref="ApiToken"/>.</summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>Let GET requests through without the token (dashboards, read-only operators).</summary>
    public bool AllowAnonymousReads { get; set; }

    /// <summary>Kestrel's listen address; port 0 picks a free one.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:30580";

    /// <summary>The folder with catalog/ and local-zones.yaml; by default the repository's config/ found from the program's folder.</summary>
    public string? ConfigDirectory { get; set; }

    /// <summary>The local runtime's zone file; default: local-zones.yaml in the config folder.</summary>
    public string? LocalZonesFile { get; set; }

    /// <summary>
    /// The URL the agents on replica machines reach this controller at, to report interruption notices at once.
    /// Default: the address it listens on (loopback when it listens on all addresses), which suits the local
    /// runtime; on a real cloud give the address the machines can reach.
    /// </summary>
    public string? AgentControllerUrl { get; set; }

    /// <summary>What this controller serves its cloud machines (<c>GET /api/v1/agent/package</c>): section <c>SkyServe:Agent</c>.</summary>
    public AgentPackageOptions Agent { get; set; } = new();

    /// <summary>The <c>workdir</c> and <c>file_mounts</c> archives the CLI uploads: section <c>SkyServe:Uploads</c>.</summary>
    public UploadOptions Uploads { get; set; } = new();

    public Reconcile.ReconcileOptions Reconcile { get; set; } = new();

    public Jobs.JobSchedule Jobs { get; set; } = new();

    public Routing.RoutingOptions Routing { get; set; } = new();

    /// <summary>Set by the host when it generated <see cref="ApiToken"/> on this start.</summary>
    public bool ApiTokenWasGenerated { get; set; }

    /// <summary>Fills <see cref="PostgresConnectionString"/> and <see cref="ApiToken"/> from their files where only the file is given.</summary>
    /// <exception cref="SecretFileException">A named file is missing or empty.</exception>
    public void ReadSecretFiles()
    {
        PostgresConnectionString = SecretSource.Resolve(PostgresConnectionString, PostgresConnectionStringFile);
        ApiToken = SecretSource.Resolve(ApiToken, ApiTokenFile);
    }
}
