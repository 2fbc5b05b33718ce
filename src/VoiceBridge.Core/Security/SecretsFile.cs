using System.Text;

namespace VoiceBridge.Security;

/// <summary>
/// <c>--secrets FILE</c>: provider keys and tokens as <c>KEY=VALUE</c> lines (blank lines and <c>#</c>
/// comments allowed), so they stay out of the command line (which <c>ps</c> shows) and out of shell
/// history. The file is refused when others may read it (mode o+r, or o+w), when it is larger than
/// <see cref="MaxBytes"/>, and on any malformed line, named by its number and key, never by its value.
/// Each key becomes an environment variable of this process unless the environment already sets it:
/// an operator's explicit environment wins over the file.
/// </summary>
public static class SecretsFile
{
    /// <summary>The largest file read: a few dozen keys fit many times over.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="path"/>: the pairs in file order, or null with <paramref name="error"/>
    /// naming the problem (never a value).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Read(string path, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        error = null;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            error = $"--secrets {path}: no such file";
            return null;
        }

        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            error = $"--secrets {path} can be read or written by every user of the machine: chmod 600 {path} (or 640 with a group of its own)";
            return null;
        }

        if (info.Length > MaxBytes)
        {
            error = $"--secrets {path} is {info.Length} bytes; the limit is {MaxBytes}";
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            error = $"--secrets {path}: cannot read it: {e.GetType().Name}";
            return null;
        }

        return Parse(text, path, out error);
    }

    /// <summary>Parses <c>KEY=VALUE</c> lines; null with <paramref name="error"/> at the first bad line.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Parse(string text, string source, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var pairs = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? trimmed : line[..equals].Trim();
            if (equals < 0 || !IsKey(key))
            {
                error = $"--secrets {source} line {i + 1}: expected KEY=VALUE with KEY made of letters, digits and '_'";
                return null;
            }

            string value = Unquote(line[(equals + 1)..].Trim());
            if (value.Length == 0)
            {
                error = $"--secrets {source} line {i + 1}: {key} has no value";
                return null;
            }

            if (!seen.Add(key))
            {
                error = $"--secrets {source} line {i + 1}: {key} is set twice";
                return null;
            }

            pairs.Add(KeyValuePair.Create(key, value));
        }

        return pairs;
    }

    /// <summary>
    /// Sets each pair as an environment variable of this process unless <paramref name="environment"/>
    /// already has it; returns the keys taken from the file (for the start-up log: names only).
    /// </summary>
    public static IReadOnlyList<string> Apply(IEnumerable<KeyValuePair<string, string>> pairs, Func<string, string?>? environment = null, Action<string, string>? set = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        environment ??= Environment.GetEnvironmentVariable;
        set ??= Environment.SetEnvironmentVariable;
        var taken = new List<string>();
        foreach ((string key, string value) in pairs)
        {
            if (string.IsNullOrEmpty(environment(key)))
            {
                set(key, value);
                taken.Add(key);
            }
        }

        return taken;
    }

    private static bool IsKey(string key) =>
        key.Length is > 0 and <= 128 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
