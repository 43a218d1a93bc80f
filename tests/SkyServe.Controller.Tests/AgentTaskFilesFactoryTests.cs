using SkyServe.Contracts.Agent;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Tests;

/// <summary>What a replica's agent is told to fetch, from its version's spec and uploads.</summary>
public sealed class AgentTaskFilesFactoryTests
{
    private const string Spec = """
        service:
          readiness_probe: /health
          replicas: 1
          ports: 8080
        workdir: ./app
        file_mounts:
          ~/data: ./data
          /weights: s3://bucket/weights
          ~/ckpt:
            name: my-ckpts
            store: gcs
            mode: MOUNT
        run: python3 server.py
        """;

    [Fact]
    public void Local_sources_come_by_digest_and_remote_ones_by_uri()
    {
        var uploads = new SpecUploads { Workdir = "sha256:" + new string('a', 64), FileMounts = new Dictionary<string, string> { ["~/data"] = "sha256:" + new string('b', 64) } };
        var files = AgentTaskFilesFactory.For(ServiceSpecParser.Parse(Spec), uploads);
        Assert.Equal(new TaskWorkdir { Blob = uploads.Workdir }, files.Workdir);
        Assert.Equal(
        [
            new TaskFileMount { Target = "~/data", Blob = uploads.FileMounts["~/data"], Mode = "COPY" },
            new TaskFileMount { Target = "/weights", Source = "s3://bucket/weights", Mode = "COPY" },
            new TaskFileMount { Target = "~/ckpt", Source = "gs://my-ckpts", Mode = "MOUNT" },
        ], files.FileMounts);
    }

    [Fact]
    public void A_git_workdir_is_fetched_by_url_and_ref_and_no_files_mean_none()
    {
        var git = ServiceSpecParser.Parse(Spec.Replace("workdir: ./app", "workdir:\n  url: https://github.com/org/repo.git\n  ref: v1")
            .Replace("file_mounts:\n  ~/data: ./data\n  /weights: s3://bucket/weights\n  ~/ckpt:\n    name: my-ckpts\n    store: gcs\n    mode: MOUNT\n", ""));
        var files = AgentTaskFilesFactory.For(git, SpecUploads.None);
        Assert.Equal(new TaskWorkdir { GitUrl = "https://github.com/org/repo.git", GitRef = "v1" }, files.Workdir);
        Assert.Empty(files.FileMounts);
        Assert.True(AgentTaskFilesFactory.For(ServiceSpecParser.Parse(Specs.Minimal), SpecUploads.None).IsEmpty);
    }
}
