using System.Diagnostics;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>A git <c>workdir</c>: cloned into place, then the ref (branch, tag or commit) checked out; the default branch without one.</summary>
public static class GitWorkdir
{
    public static async Task CloneAsync(string url, string? gitRef, string target, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var partial = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        await GitAsync(["clone", "--quiet", url, partial], parent, environment, $"git clone {url}", ct);
        if (gitRef is not null)
            await GitAsync(["-c", "advice.detachedHead=false", "checkout", "--quiet", gitRef], partial, environment, $"git checkout {gitRef} of {url}", ct);
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        Directory.Move(partial, target);
    }

    private static async Task GitAsync(IReadOnlyList<string> args, string directory, IReadOnlyDictionary<string, string> environment, string what, CancellationToken ct)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        info.Environment["GIT_TERMINAL_PROMPT"] = "0"; // a private repository without credentials fails instead of waiting for a password
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TaskFilesException($"{what}: git is not installed on this machine ({e.Message})", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                throw new TaskFilesException($"{what} failed (exit code {process.ExitCode}): {((await errors).Trim() is { Length: > 0 } e ? e : (await output).Trim())}");
        }
    }
}
