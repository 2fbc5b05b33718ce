namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// A CMU-style pronunciation dictionary (<c>word PH ON ES</c> a line, alternates as <c>word(2)</c>),
/// such as the package's <c>cmudict-en-us.dict</c>.
/// </summary>
public sealed class PronunciationDictionary
{
    private readonly Dictionary<string, List<string>> _pronunciations;

    private PronunciationDictionary(string path, Dictionary<string, List<string>> pronunciations)
    {
        Path = path;
        _pronunciations = pronunciations;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>Reads a dictionary file.</summary>
    /// <exception cref="PocketsphinxException">The file is missing (the message says how to install it).</exception>
    public static PronunciationDictionary Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new PocketsphinxException($"pocketsphinx dictionary not found: {path} is missing; {PocketsphinxException.InstallHint}");
        }

        var entries = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                continue;
            }

            var word = line[..space];
            int alternate = word.IndexOf('(', StringComparison.Ordinal);
            if (alternate > 0)
            {
                word = word[..alternate];
            }

            var phones = line[(space + 1)..].Trim();
            if (!entries.TryGetValue(word, out var list))
            {
                entries[word] = list = [];
            }

            list.Add(phones);
        }

        return new PronunciationDictionary(path, entries);
    }

    /// <summary>The pronunciations of <paramref name="word"/> (first the main one), or none.</summary>
    public IReadOnlyList<string> Pronunciations(string word) =>
        _pronunciations.TryGetValue(word, out var list) ? list : [];
}
