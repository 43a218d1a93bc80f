using System.CommandLine;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve validate FILE [--json] [--show-secrets]`: checks a spec locally; no controller needed. Env values are
/// hidden in the JSON as they are everywhere else (terminals get recorded and pasted), unless --show-secrets; secret
/// values always are.
/// </summary>
public static class ValidateCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "Service spec (YAML or JSON)" };
        var json = new Option<bool>("--json") { Description = "Print the effective spec with every default applied" };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show the values of the spec's envs in the JSON (hidden by default; secrets never show)" };
        var inputs = new SpecInputOptions();
        var command = new Command("validate", "Parse and validate a service spec locally, with the values up would be given") { file, json, showSecrets };
        inputs.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var result = ServiceSpecParser.TryParse(SpecFile.Read(path), inputs.Read(parse));
            if (!result.IsValid)
            {
                Console.Error.WriteLine($"{path.Name}: invalid service spec");
                foreach (var error in result.Errors)
                    Console.Error.WriteLine($"  {error}");
                return 1;
            }
            if (!parse.GetValue(json))
            {
                Console.WriteLine($"{path.Name}: valid");
                return 0;
            }
            var effective = EffectiveSpecJson.ToJsonObject(result.Spec!);
            SpecSecrets.Redact(effective, showEnvs: parse.GetValue(showSecrets));
            Console.WriteLine(effective.ToJsonString(EffectiveSpecJson.IndentedOptions));
            return 0;
        });
        return command;
    }
}
