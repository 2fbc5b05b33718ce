using System.Collections;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// The header fields of a message in arrival order, duplicates kept, one entry per header line (a line
/// holding "a, b" stays one entry; the typed accessors of <see cref="SipMessage"/> split list headers).
/// Names are case-insensitive and compact forms are stored under their long names. Values are unfolded
/// and trimmed. Not thread-safe.
/// </summary>
public sealed class SipHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Bumped on every change so that <see cref="SipMessage"/> knows when to re-read typed values.</summary>
    internal int Version { get; private set; }

    /// <summary>The first value of the header, or null.</summary>
    public string? Get(string name)
    {
        string key = SipHeaderNames.Normalize(name);
        foreach (KeyValuePair<string, string> e in _entries)
        {
            if (Matches(e.Key, key))
            {
                return e.Value;
            }
        }

        return null;
    }

    /// <summary>Every value of the header in order (empty when absent).</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        string key = SipHeaderNames.Normalize(name);
        var values = new List<string>();
        foreach (KeyValuePair<string, string> e in _entries)
        {
            if (Matches(e.Key, key))
            {
                values.Add(e.Value);
            }
        }

        return values;
    }

    public bool Contains(string name) => Get(name) is not null;

    /// <summary>Appends a header line.</summary>
    public void Add(string name, string value) => _entries.Add(Entry(name, value));

    /// <summary>Inserts a header line before the first line of the same name (appends when there is none): how a Via or Route goes on top.</summary>
    public void AddFirst(string name, string value)
    {
        KeyValuePair<string, string> entry = Entry(name, value);
        int index = _entries.FindIndex(e => Matches(e.Key, entry.Key));
        _entries.Insert(index < 0 ? _entries.Count : index, entry);
    }

    /// <summary>Replaces every line of the header with one line holding <paramref name="value"/>, where the first was (or at the end).</summary>
    public void Set(string name, string value)
    {
        KeyValuePair<string, string> entry = Entry(name, value);
        int index = _entries.FindIndex(e => Matches(e.Key, entry.Key));
        if (index < 0)
        {
            _entries.Add(entry);
            return;
        }

        _entries[index] = entry;
        for (int i = _entries.Count - 1; i > index; i--)
        {
            if (Matches(_entries[i].Key, entry.Key))
            {
                _entries.RemoveAt(i);
            }
        }
    }

    /// <summary>Removes every line of the header; true when there was one.</summary>
    public bool Remove(string name)
    {
        string key = SipHeaderNames.Normalize(name);
        bool removed = _entries.RemoveAll(e => Matches(e.Key, key)) > 0;
        Version++;
        return removed;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds a line the parser has already checked (name normalised, value unfolded).</summary>
    internal void AddParsed(string name, string value)
    {
        _entries.Add(new KeyValuePair<string, string>(name, value));
        Version++;
    }

    private static bool Matches(string stored, string key) => string.Equals(stored, key, StringComparison.OrdinalIgnoreCase);

    private KeyValuePair<string, string> Entry(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!SipSyntax.IsToken(name))
        {
            throw new ArgumentException($"header name {SipUri.Show(name)} is not a token", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"value of {name} contains a line break", nameof(value));
        }

        Version++;
        return new KeyValuePair<string, string>(SipHeaderNames.Normalize(name), value.Trim(' ', '\t'));
    }
}
