namespace SkyServe.Providers;

/// <summary>Tag names every SkyServe machine carries, so that its owner can be found from the machine.</summary>
public static class MachineTags
{
    public const string Service = "skyserve-service";
    public const string Version = "skyserve-version";
    public const string Replica = "skyserve-replica";
    /// <summary>The machine's rank in a multi-node replica (0: the head).</summary>
    public const string NodeRank = "skyserve-node-rank";
    /// <summary>Marks machines made by SkyServe at all: the garbage collector only ever touches these.</summary>
    public const string ManagedBy = "skyserve-managed-by";
}
