using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads what a replica is given besides its commands: <c>workdir</c> (a local directory or a git repository) and
/// <c>file_mounts</c> (target path to a local path, URL or bucket; or a SkyPilot storage mapping).
/// </summary>
internal sealed class TaskFilesReader(SpecReadContext context)
{
    private static readonly SpecKeys GitWorkdirKeys = new(["url", "ref"]);
    private static readonly SpecKeys StorageKeys = new(["name", "source", "store", "mode", "persistent", "_force_delete", "_is_sky_managed", "_bucket_sub_path"]);
    private static readonly IReadOnlyList<string> NameOnlyStores = ["s3", "gcs", "r2"];
    private static readonly IReadOnlyList<string> StoreNames = ["s3", "gcs", "azure", "r2", "ibm", "oci", "nebius", "coreweave"];

    public WorkdirSpec? ReadWorkdir(MappingReader top)
    {
        var node = top.Value("workdir");
        var path = top.PathOf("workdir");
        if (node is null)
            return null;
        if (node is YamlMappingNode)
        {
            var git = top.Mapping("workdir", GitWorkdirKeys)!;
            git.Require("url");
            var url = git.Text("url");
            if (url is not null && !LooksLikeGitUrl(url))
                context.Error(git.PathOf("url"), git.Value("url")!, $"'{url}' is not a git URL (https://, http://, ssh:// or git@host:path)");
            return url is null ? null : new WorkdirSpec { GitUrl = url, GitRef = git.Text("ref") };
        }
        var local = top.Text("workdir");
        if (local is not null && local.Trim().Length == 0)
        {
            context.Error(path, node, "workdir is empty: give a directory");
            return null;
        }
        return local is null ? null : new WorkdirSpec { LocalPath = local };
    }

    public IReadOnlyList<FileMountSpec> ReadFileMounts(MappingReader top)
    {
        var node = top.Value("file_mounts");
        var path = top.PathOf("file_mounts");
        if (node is null)
            return [];
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node, $"expected a mapping of target paths to sources, got {YamlScalars.Describe(node)}");
            return [];
        }
        var mounts = new List<FileMountSpec>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } target } || YamlScalars.IsNull(keyNode))
            {
                context.Error(path, keyNode, $"invalid target {YamlScalars.Describe(keyNode)}: give an absolute path or one under ~");
                continue;
            }
            var entryPath = SpecPath.Child(path, target);
            context.Remember(entryPath, valueNode);
            if (!target.StartsWith('/') && !target.StartsWith('~'))
            {
                context.Error(entryPath, keyNode, $"target '{target}' must be an absolute path or start with ~");
                continue;
            }
            if (ReadMount(target, valueNode, entryPath) is { } mount)
                mounts.Add(mount);
        }
        return mounts;
    }

    private FileMountSpec? ReadMount(string target, YamlNode value, string path)
    {
        if (YamlScalars.IsNull(value))
        {
            context.Error(path, value, $"file mount '{target}' has no source");
            return null;
        }
        if (value is not YamlMappingNode storageNode)
        {
            var source = new ScalarReader(context).Text(value, path);
            return source is null ? null : new FileMountSpec { Target = target, Source = source };
        }
        var storage = new MappingReader(context, storageNode, path, StorageKeys);
        var name = storage.Text("name");
        var sourceText = storage.Text("source");
        if (name is null && sourceText is null)
            context.Error(path, storageNode, $"storage mount '{target}' needs a 'source', a 'name', or both");
        var mode = storage.OneOf("mode", FileMountSources.ModeNames);
        var store = storage.OneOf("store", StoreNames);
        CheckBucketLifecycle(storage);
        if (sourceText is null && name is not null && store is not null && !NameOnlyStores.Contains(store))
            context.Error(storage.PathOf("store"), storage.Value("store")!,
                $"a bucket given only by name is read from s3, gcs or r2 here; for store '{store}' give its URL as 'source'");
        return new FileMountSpec
        {
            Target = target,
            Source = sourceText,
            BucketName = name,
            Store = store,
            Mode = mode is null ? FileMountMode.Mount : FileMountSources.ParseMode(mode), // SkyPilot's storage default is MOUNT
            Persistent = storage.Boolean("persistent") ?? true,
            IsStorage = true,
        };
    }

    /// <summary>
    /// Buckets are read here, never created or deleted: the keys that ask for a bucket's deletion (or that SkyPilot
    /// writes for buckets it manages) are refused rather than accepted and not done.
    /// </summary>
    private void CheckBucketLifecycle(MappingReader storage)
    {
        const string why = "buckets are read here, never created or deleted";
        if (storage.Boolean("persistent") == false)
            context.Error(storage.PathOf("persistent"), storage.Value("persistent")!, $"persistent: false cannot be honoured: {why} (leave it out)");
        if (storage.Boolean("_force_delete") == true)
            context.Error(storage.PathOf("_force_delete"), storage.Value("_force_delete")!, $"_force_delete cannot be honoured: {why}");
        if (storage.Boolean("_is_sky_managed") == true)
            context.Error(storage.PathOf("_is_sky_managed"), storage.Value("_is_sky_managed")!, $"_is_sky_managed: true describes a bucket SkyPilot created; {why}");
        if (storage.Value("_bucket_sub_path") is { } subPath)
            context.Error(storage.PathOf("_bucket_sub_path"), subPath, "_bucket_sub_path is not supported: put the path in the source URL (s3://BUCKET/PATH)");
    }

    private static bool LooksLikeGitUrl(string url) =>
        url.StartsWith("https://", StringComparison.Ordinal) || url.StartsWith("http://", StringComparison.Ordinal)
        || url.StartsWith("ssh://", StringComparison.Ordinal) || url.StartsWith("git@", StringComparison.Ordinal)
        || url.StartsWith("file://", StringComparison.Ordinal);
}
