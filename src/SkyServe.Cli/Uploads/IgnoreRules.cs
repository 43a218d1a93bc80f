using MAB.DotIgnore;

namespace SkyServe.Cli.Uploads;

/// <summary>
/// Which files of a folder stay out of its upload, as SkyPilot decides: the <c>.skyignore</c> files in it (each one's
/// patterns relative to its own folder) when there is any, else its <c>.gitignore</c> files and <c>.git/info/exclude</c>.
/// Patterns have gitignore's syntax and meaning (<c>/foo</c> at that folder only, <c>foo</c> at any depth, <c>dir/</c>
/// folders only, <c>**</c>). A path is left out when any rule file above it leaves it out.
/// </summary>
public sealed class IgnoreRules
{
    public const string SkyIgnoreFile = ".skyignore";
    public const string GitIgnoreFile = ".gitignore";

    private readonly List<(string Folder, IgnoreList Rules)> lists;

    private IgnoreRules(List<(string Folder, IgnoreList Rules)> lists, string? source)
    {
        this.lists = lists;
        Source = source;
    }

    /// <summary>Which kind of rule file applies (<c>.skyignore</c> or <c>.gitignore</c>); null: none, everything goes.</summary>
    public string? Source { get; }

    public static IgnoreRules For(string root)
    {
        var skyignore = RuleFiles(root, SkyIgnoreFile);
        if (skyignore.Count > 0)
            return new IgnoreRules(skyignore, SkyIgnoreFile);
        var gitignore = RuleFiles(root, GitIgnoreFile);
        var exclude = Path.Combine(root, ".git", "info", "exclude");
        if (File.Exists(exclude))
            gitignore.Insert(0, ("", new IgnoreList(exclude)));
        return new IgnoreRules(gitignore, gitignore.Count > 0 ? GitIgnoreFile : null);
    }

    /// <param name="relative">The path under the root, '/'-separated.</param>
    public bool IsIgnored(string relative, bool isDirectory)
    {
        foreach (var (folder, rules) in lists)
        {
            if (folder.Length == 0)
            {
                if (rules.IsIgnored(relative, isDirectory))
                    return true;
            }
            else if (relative.StartsWith(folder + "/", StringComparison.Ordinal) && rules.IsIgnored(relative[(folder.Length + 1)..], isDirectory))
                return true;
        }
        return false;
    }

    /// <summary>Every rule file of that name under <paramref name="root"/>, by its folder relative to the root ("" for the root).</summary>
    private static List<(string Folder, IgnoreList Rules)> RuleFiles(string root, string name)
    {
        var found = new List<(string, IgnoreList)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(root, name, options).Order(StringComparer.Ordinal))
        {
            var folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace(Path.DirectorySeparatorChar, '/');
            found.Add((folder == "." ? "" : folder, new IgnoreList(file)));
        }
        return found;
    }
}
