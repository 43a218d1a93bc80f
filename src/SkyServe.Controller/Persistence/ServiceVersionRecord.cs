using SkyServe.Core.Domain;

namespace SkyServe.Controller.Persistence;

/// <summary>One submitted spec. The text is kept as the owner wrote it; the columns are what operators query.</summary>
public sealed class ServiceVersionRecord
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    public int Version { get; set; }
    public UpdateMode Mode { get; set; }
    public required string SpecText { get; set; }
    /// <summary>The effective spec (every default applied) as JSON; jsonb on PostgreSQL.</summary>
    public required string EffectiveSpec { get; set; }
    public int MinReplicas { get; set; }
    public int MaxReplicas { get; set; }
    public bool UseSpot { get; set; }
    public string? SpotPlacer { get; set; }
    public required string LoadBalancingPolicy { get; set; }
    public int? ReplicaPort { get; set; }
    public required string ReadinessPath { get; set; }
    /// <summary>
    /// Env and secret values given beside the spec (<c>up --env/--secret</c>) as JSON <c>{"envs": {..}, "secrets": {..}}</c>;
    /// null: none. Never returned by the API.
    /// </summary>
    public string? Inputs { get; set; }
    /// <summary>
    /// The blobs uploaded with the spec as JSON <c>{"workdir": "sha256:..", "file_mounts": {"/target": "sha256:.."}}</c>;
    /// null: none.
    /// </summary>
    public string? Uploads { get; set; }
    public DateTime CreatedAt { get; set; }
}
