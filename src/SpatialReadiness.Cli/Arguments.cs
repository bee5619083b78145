
namespace SpatialReadiness.Cli;

/// <summary>"verb [subverb] positional... --option value --flag" with every option checked against what a command accepts.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = [];

    public string? Verb { get; private init; }
    public List<string> Positional { get; } = [];

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments { Verb = args.FirstOrDefault() };
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) { parsed.Positional.Add(args[i]); continue; }
            var name = args[i][2..];
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals >= 0) { value = name[(equals + 1)..]; name = name[..equals]; }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            parsed._options[name] = value;
        }
        return parsed;
    }

    public string? Option(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public string Required(string name, string example) =>
        Option(name) is { Length: > 0 } value ? value
            : throw new InputException(InputError.Malformed, $"--{name} is required (e.g. --{name} {example}).");

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    /// <summary>Call after reading options: an option the command does not know is a typo worth reporting.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new InputException(InputError.Malformed, $"unknown option{(unknown.Count > 1 ? "s" : "")} --{string.Join(", --", unknown)}; run 'srd help'.");
    }
}
