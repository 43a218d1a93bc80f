using System.Formats.Tar;
using System.Text;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Cloud.Emulators.Azure;
using SkyServe.Cloud.Emulators.Gcp;
using SkyServe.Contracts.Agent;
using SkyServe.ReplicaAgent.Files;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The agent puts a spec's workdir and file mounts in place before setup: uploaded archives from the controller (digest
/// checked), https files, s3:// and r2:// prefixes (S3 emulator, SigV4), gs:// (Cloud Storage JSON API emulator), Azure
/// blob URLs (Blob emulator) and a git workdir (a local bare repository); failures say which entry and why.
/// </summary>
public sealed class TaskFilesStagerTests : IAsyncLifetime
{
    private readonly TempDirectory root = new();
    private readonly Dictionary<string, string> environment = new();
    private readonly List<string> notes = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false });
    private BlobServer controller = null!;

    private string Home => Path.Combine(root.Path, "home");

    public async Task InitializeAsync() => controller = await BlobServer.StartAsync();

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        http.Dispose();
        root.Dispose();
    }

    private Task<string?> StageAsync(TaskFiles files, string? token = BlobServer.Token) =>
        new TaskFilesStager(new ControllerBlobs(controller.Url, token, http), http, name => environment.GetValueOrDefault(name), notes.Add)
            .StageAsync(files, Home, CancellationToken.None);

    private string Read(string path) => File.ReadAllText(Path.Combine(Home, path));

    [Fact]
    public async Task Uploaded_workdir_and_mounts_land_in_sky_workdir_and_at_their_targets()
    {
        var workdir = controller.Add(TaskArchives.Folder(("server.py", "print('hi')"), ("lib/util.py", "x = 1")));
        var folder = controller.Add(TaskArchives.Folder(("a.txt", "A"), ("sub/b.txt", "B")));
        var file = controller.Add(TaskArchives.SingleFile("greeting.txt", "hello"));
        var absolute = Path.Combine(root.Path, "abs", "config.txt");
        Directory.CreateDirectory(Path.Combine(Home, HomePaths.WorkdirName, "stale"));

        var path = await StageAsync(new TaskFiles
        {
            Workdir = new TaskWorkdir { Blob = workdir },
            FileMounts =
            [
                new TaskFileMount { Target = "~/data", Blob = folder },
                new TaskFileMount { Target = "~/greeting.txt", Blob = file, Mode = TaskFileModes.Mount },
                new TaskFileMount { Target = absolute, Blob = file },
            ],
        });

        Assert.Equal(Path.Combine(Home, "sky_workdir"), path);
        Assert.Equal("print('hi')", Read("sky_workdir/server.py"));
        Assert.Equal("x = 1", Read("sky_workdir/lib/util.py"));
        Assert.False(Directory.Exists(Path.Combine(Home, "sky_workdir", "stale"))); // the workdir is exactly the upload
        Assert.Equal("A", Read("data/a.txt"));
        Assert.Equal("B", Read("data/sub/b.txt"));
        Assert.Equal("hello", Read("greeting.txt"));
        Assert.Equal("hello", File.ReadAllText(absolute));
        Assert.Contains(notes, n => n.Contains("file_mounts.~/greeting.txt: MOUNT needs a FUSE mounter") && n.Contains("copied instead"));
    }

    [Fact]
    public async Task An_archive_that_does_not_match_its_digest_is_refused()
    {
        var real = controller.Add(TaskArchives.Folder(("a.txt", "A")));
        var claimed = "sha256:" + new string('0', 64);
        controller.AddUnder(claimed, TaskArchives.Folder(("evil.txt", "x")));
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { Workdir = new TaskWorkdir { Blob = claimed } }));
        Assert.Contains($"workdir: the archive fetched for {claimed} hashes to sha256:", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Home, "sky_workdir")));
        Assert.NotEqual(claimed, real);
    }

    [Fact]
    public async Task A_missing_upload_or_a_refused_token_fails_with_the_controllers_word()
    {
        var missing = "sha256:" + new string('1', 64);
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles
        {
            FileMounts = [new TaskFileMount { Target = "~/data", Blob = missing }],
        }));
        Assert.Contains($"file_mounts.~/data: the controller answered 404 Not Found for {missing}: {missing} is not stored on the controller", e.Message);

        var present = controller.Add(TaskArchives.Folder(("a.txt", "A")));
        var refused = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { Workdir = new TaskWorkdir { Blob = present } }, token: "wrong"));
        Assert.Contains("401 Unauthorized", refused.Message);
    }

    [Fact]
    public async Task Entries_that_would_leave_their_target_are_refused()
    {
        var escaping = controller.Add(TaskArchives.Raw(tar =>
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./"));
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./../outside.txt") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }));
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/data", Blob = escaping }] }));
        Assert.Contains("would land outside its target", e.Message);
        Assert.False(File.Exists(Path.Combine(Home, "outside.txt")));
    }

    [Fact]
    public async Task An_https_source_is_downloaded_to_its_target_and_a_404_is_named()
    {
        var url = controller.AddFile("weights/config.json", "{\"a\": 1}");
        await StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/model/config.json", Source = url }] });
        Assert.Equal("{\"a\": 1}", Read("model/config.json"));

        var missing = new Uri(controller.Url, "files/nope.txt").ToString();
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/nope.txt", Source = missing }] }));
        Assert.Contains($"file_mounts.~/nope.txt: fetching {missing} failed: 404", e.Message);
    }

    [Fact]
    public async Task An_s3_prefix_is_copied_as_a_folder_with_sigv4_and_an_exact_key_as_a_file()
    {
        await using var s3 = await S3Emulator.StartAsync("AKIDTEST", "s3cr3t");
        foreach (var (key, text) in new[] { ("models/tiny/config.json", "{}"), ("models/tiny/weights.bin", "W"), ("models/tiny/tok/vocab.txt", "v"), ("models/tinyx/other", "no"), ("readme.md", "R") })
            s3.Objects.Put("bucket", key, text);
        environment["AWS_ENDPOINT_URL_S3"] = s3.Endpoint.ToString();
        environment["AWS_ACCESS_KEY_ID"] = "AKIDTEST";
        environment["AWS_SECRET_ACCESS_KEY"] = "s3cr3t";

        await StageAsync(new TaskFiles
        {
            FileMounts =
            [
                new TaskFileMount { Target = "~/tiny", Source = "s3://bucket/models/tiny" },
                new TaskFileMount { Target = "~/readme.md", Source = "s3://bucket/readme.md", Mode = TaskFileModes.MountCached },
            ],
        });
        Assert.Equal("{}", Read("tiny/config.json"));
        Assert.Equal("W", Read("tiny/weights.bin"));
        Assert.Equal("v", Read("tiny/tok/vocab.txt"));
        Assert.False(File.Exists(Path.Combine(Home, "tiny", "x", "other"))); // tinyx/ is not under tiny/
        Assert.Equal("R", Read("readme.md"));
        Assert.Contains(s3.Requests, r => r.Query.Contains("continuation-token=")); // the listing was paged
        Assert.All(s3.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/", r.Headers["Authorization"]));

        environment["AWS_SECRET_ACCESS_KEY"] = "wrong";
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/t2", Source = "s3://bucket/models/tiny" }] }));
        Assert.Contains("file_mounts.~/t2: listing s3://bucket/models/tiny failed: 403 SignatureDoesNotMatch", e.Message);
    }

    [Fact]
    public async Task An_r2_source_uses_the_s3_api_at_r2s_endpoint()
    {
        await using var r2 = await S3Emulator.StartAsync("R2KEY", "r2secret");
        r2.Objects.Put("weights", "v1/model.bin", "M");
        environment["R2_ENDPOINT_URL"] = r2.Endpoint.ToString();
        environment["AWS_ACCESS_KEY_ID"] = "R2KEY";
        environment["AWS_SECRET_ACCESS_KEY"] = "r2secret";
        await StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/w", Source = "r2://weights/v1" }] });
        Assert.Equal("M", Read("w/model.bin"));

        environment.Remove("R2_ENDPOINT_URL");
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/w2", Source = "r2://weights/v1" }] }));
        Assert.Contains("r2:// needs Cloudflare's account id", e.Message);
    }

    [Fact]
    public async Task A_gs_prefix_is_copied_through_the_json_api()
    {
        await using var gcs = await GcsEmulator.StartAsync();
        foreach (var (key, text) in new[] { ("data/train/a.jsonl", "a"), ("data/train/b.jsonl", "b"), ("data/train/deep/c.jsonl", "c"), ("data/eval.jsonl", "e") })
            gcs.Objects.Put("my-bucket", key, text);
        environment["STORAGE_EMULATOR_HOST"] = gcs.Host;
        await StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/train", Source = "gs://my-bucket/data/train/" }] });
        Assert.Equal("a", Read("train/a.jsonl"));
        Assert.Equal("b", Read("train/b.jsonl"));
        Assert.Equal("c", Read("train/deep/c.jsonl"));
        Assert.False(File.Exists(Path.Combine(Home, "train", "eval.jsonl")));
        Assert.Contains(gcs.Requests, r => r.Path.EndsWith("/o/data%2Ftrain%2Fdeep%2Fc.jsonl", StringComparison.Ordinal) && r.Query.Contains("alt=media"));

        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/x", Source = "gs://no-such-bucket/data" }] }));
        Assert.Contains("file_mounts.~/x: listing gs://no-such-bucket/data failed: 404", e.Message);
        var empty = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/y", Source = "gs://my-bucket/nothing" }] }));
        Assert.Contains("file_mounts.~/y: gs://my-bucket/nothing holds no objects", empty.Message);
    }

    [Fact]
    public async Task An_azure_blob_url_is_copied_with_the_connection_strings_endpoint_and_sas()
    {
        await using var azure = await BlobEmulator.StartAsync();
        foreach (var (key, text) in new[] { ("ckpt/step-1/model.bin", "1"), ("ckpt/step-1/config.json", "{}"), ("ckpt/step-2/model.bin", "2") })
            azure.Objects.Put("models", key, text);
        var source = "https://skyserveacct.blob.core.windows.net/models/ckpt/step-1";

        PointAtEmulator(azure, withSas: false);
        var refused = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/ckpt", Source = source }] }));
        Assert.Contains("403", refused.Message);
        Assert.Contains(azure.Requests, r => r.Headers.TryGetValue("Authorization", out var auth) && auth == "Bearer bogus"); // the managed identity's token

        PointAtEmulator(azure, withSas: true);
        await StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/ckpt", Source = source }] });
        Assert.Equal("1", Read("ckpt/model.bin"));
        Assert.Equal("{}", Read("ckpt/config.json"));
        Assert.False(File.Exists(Path.Combine(Home, "ckpt", "step-2", "model.bin")));

        // The managed identity's real token works without a SAS.
        PointAtEmulator(azure, withSas: false, token: azure.AccessToken);
        await StageAsync(new TaskFiles { FileMounts = [new TaskFileMount { Target = "~/ckpt-mi", Source = source }] });
        Assert.Equal("1", Read("ckpt-mi/model.bin"));
    }

    private void PointAtEmulator(BlobEmulator azure, bool withSas, string token = "bogus")
    {
        // Without a SAS the agent asks for a managed identity token (IDENTITY_ENDPOINT, as App Service and Arc set it): here a file that holds one.
        environment["AZURE_STORAGE_CONNECTION_STRING"] = $"BlobEndpoint={azure.BlobEndpoint}" + (withSas ? $";SharedAccessSignature={azure.Sas}" : "");
        environment["IDENTITY_ENDPOINT"] = controller.AddFile($"identity-{token}", $"{{\"access_token\": \"{token}\"}}");
    }

    [Fact]
    public async Task A_git_workdir_is_cloned_at_its_branch_tag_or_commit()
    {
        var bare = Path.Combine(root.Path, "repo.git");
        var work = Path.Combine(root.Path, "repo-work");
        await Git(root.Path, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        await Git(root.Path, "clone", "--quiet", bare, work);
        await File.WriteAllTextAsync(Path.Combine(work, "app.txt"), "v1");
        await Git(work, "add", ".");
        await Git(work, "commit", "--quiet", "-m", "v1");
        await Git(work, "tag", "v1");
        var v1 = (await Git(work, "rev-parse", "HEAD")).Stdout.Trim();
        await Git(work, "checkout", "--quiet", "-b", "feature");
        await File.WriteAllTextAsync(Path.Combine(work, "app.txt"), "feature");
        await Git(work, "commit", "--quiet", "-am", "feature");
        await Git(work, "checkout", "--quiet", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "app.txt"), "v2");
        await Git(work, "commit", "--quiet", "-am", "v2");
        await Git(work, "push", "--quiet", "--all", "origin");
        await Git(work, "push", "--quiet", "--tags", "origin");
        var url = new Uri(bare).AbsoluteUri; // file:///...

        foreach (var (gitRef, expected) in new[] { ((string?)null, "v2"), ("feature", "feature"), ("v1", "v1"), (v1, "v1") })
        {
            var path = await StageAsync(new TaskFiles { Workdir = new TaskWorkdir { GitUrl = url, GitRef = gitRef } });
            Assert.Equal(expected, File.ReadAllText(Path.Combine(path!, "app.txt")));
        }
        var e = await Assert.ThrowsAsync<TaskFilesException>(() => StageAsync(new TaskFiles { Workdir = new TaskWorkdir { GitUrl = url, GitRef = "no-such-ref" } }));
        Assert.Contains("git checkout no-such-ref", e.Message);
        Assert.Equal("v1", Read("sky_workdir/app.txt")); // a failed fetch leaves the last workdir alone
    }

    private static Task<ProcessRunner.Result> Git(string directory, params string[] args) =>
        ProcessRunner.RunCheckedAsync("git", ["-C", directory, "-c", "user.name=test", "-c", "user.email=test@example.com", .. args]);
}
