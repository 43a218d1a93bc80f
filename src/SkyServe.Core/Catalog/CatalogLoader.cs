using System.Text.RegularExpressions;
using SkyServe.Core.Catalog.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Catalog;

/// <summary>
/// Loads a catalog folder (config/catalog): one price list per cloud (<c>cloud: ...</c>) and the local runtime's
/// simulated clouds (<c>simulated_clouds: ...</c>), which refer to the price lists. Bad data fails the whole load
/// with a <see cref="CatalogException"/> naming file, line and key: a half-read price list would misplace replicas.
/// </summary>
public static partial class CatalogLoader
{
    /// <summary>Reads every <c>*.yaml</c> and <c>*.yml</c> file directly in <paramref name="path"/>; nothing else is touched.</summary>
    public static CatalogSet LoadDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Directory.Exists(path))
            throw new CatalogException(path, 0, 0, null, "catalog folder not found");
        var files = Directory.EnumerateFiles(path)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => new CatalogFile(f, File.ReadAllText(f)))
            .ToList();
        if (files.Count == 0)
            throw new CatalogException(path, 0, 0, null, "no catalog files (*.yaml) in this folder");
        return Parse(files);
    }

    /// <summary>The pure part of <see cref="LoadDirectory"/>: files in, catalogs out.</summary>
    public static CatalogSet Parse(IEnumerable<CatalogFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var documents = files.Select(f => (Reader: new CatalogNodeReader(f.FileName), Root: LoadRoot(f))).ToList();

        // Price lists first: the simulated clouds are resolved against them.
        var entries = new Dictionary<string, CatalogEntry>(StringComparer.OrdinalIgnoreCase);
        var cloudFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (reader, root) in documents.Where(d => Kind(d.Reader, d.Root) == CloudFileReader.CloudKey))
        {
            var (cloud, cloudNode, cloudEntries) = CloudFileReader.Read(root, reader);
            if (cloudFiles.TryGetValue(cloud, out var other))
                throw reader.Error(cloudNode, CloudFileReader.CloudKey, $"cloud '{cloud}' is already defined in {other}");
            cloudFiles[cloud] = reader.FileName;
            foreach (var entry in cloudEntries)
                entries[entry.Key] = entry;
        }

        var local = new List<InstanceOffering>();
        var simulatedFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (reader, root) in documents.Where(d => Kind(d.Reader, d.Root) == LocalFileReader.SimulatedCloudsKey))
        {
            foreach (var (cloud, cloudNode, offerings) in LocalFileReader.Read(root, reader, entries))
            {
                if (simulatedFiles.TryGetValue(cloud, out var other))
                    throw reader.Error(cloudNode, LocalFileReader.SimulatedCloudsKey, $"simulated cloud '{cloud}' is already defined in {other}");
                simulatedFiles[cloud] = reader.FileName;
                local.AddRange(offerings);
            }
        }
        return new CatalogSet(new CloudCatalog(entries.Values.SelectMany(e => e.ToOfferings())), new CloudCatalog(local));
    }

    private static YamlMappingNode LoadRoot(CatalogFile file)
    {
        if (string.IsNullOrWhiteSpace(file.Text))
            throw new CatalogException(file.FileName, 0, 0, null, "the file is empty");
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(file.Text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException exception)
        {
            throw new CatalogException(file.FileName, checked((int)exception.Start.Line), checked((int)exception.Start.Column), null,
                $"YAML error: {PositionPrefix().Replace(exception.Message, "").Trim()}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some truncated input (an unclosed '[' at the end of the
            // file); the last event it produced is the best position there is.
            var mark = parser.Current?.Start ?? new Mark(0, 1, 1);
            throw new CatalogException(file.FileName, checked((int)mark.Line), checked((int)mark.Column), null,
                "YAML error: the file ends inside an unfinished value (an unclosed bracket or quote?)");
        }
        var reader = new CatalogNodeReader(file.FileName);
        if (stream.Documents.Count != 1)
            throw new CatalogException(file.FileName, 0, 0, null, $"expected one YAML document, found {stream.Documents.Count}");
        return reader.Mapping(stream.Documents[0].RootNode, "", "a mapping with 'cloud' or 'simulated_clouds' at the top level");
    }

    /// <summary>Which kind of file this is, from its top-level key.</summary>
    private static string Kind(CatalogNodeReader reader, YamlMappingNode root)
    {
        var isCloud = CatalogNodeReader.Optional(root, CloudFileReader.CloudKey) is not null;
        var isLocal = CatalogNodeReader.Optional(root, LocalFileReader.SimulatedCloudsKey) is not null;
        return (isCloud, isLocal) switch
        {
            (true, false) => CloudFileReader.CloudKey,
            (false, true) => LocalFileReader.SimulatedCloudsKey,
            (true, true) => throw reader.Error(root, null, "a file is either one cloud's price list ('cloud') or the simulated clouds ('simulated_clouds'), not both"),
            _ => throw reader.Error(root, null, "expected 'cloud' (a cloud's price list) or 'simulated_clouds' (the local runtime) at the top level"),
        };
    }

    // YamlDotNet puts "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): " in front of its messages; the
    // exception already says where.
    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PositionPrefix();
}
