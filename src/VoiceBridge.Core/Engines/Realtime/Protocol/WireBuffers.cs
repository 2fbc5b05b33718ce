using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>A growable byte buffer that decodes a base64 JSON string value in place of its previous content.</summary>
internal sealed class AudioBuffer(int initialCapacity)
{
    private byte[] bytes = new byte[Math.Max(initialCapacity, 16)];
    private int length;

    public ReadOnlyMemory<byte> Memory => bytes.AsMemory(0, length);

    public void Clear() => length = 0;

    /// <summary>Decodes the reader's current string value; false when it is not valid base64.</summary>
    public bool TryDecode(ref Utf8JsonReader reader)
    {
        var encoded = reader.ValueSpan;
        if (bytes.Length < encoded.Length)
        {
            bytes = new byte[Math.Max(encoded.Length, bytes.Length * 2)];
        }

        if (reader.ValueIsEscaped)
        {
            var unescaped = reader.CopyString(bytes);
            return Base64.DecodeFromUtf8InPlace(bytes.AsSpan(0, unescaped), out length) == System.Buffers.OperationStatus.Done;
        }

        return Base64.DecodeFromUtf8(encoded, bytes, out _, out length) == System.Buffers.OperationStatus.Done;
    }
}

/// <summary>Keeps a string value as UTF-8 bytes and only materialises the string when someone asks for it.</summary>
internal sealed class LazyUtf8String
{
    private byte[] bytes = new byte[64];
    private int length = -1;
    private string? value;

    public string? Value => length < 0 ? null : value ??= Encoding.UTF8.GetString(bytes, 0, length);

    public void Clear()
    {
        length = -1;
        value = null;
    }

    /// <summary>Reads a nullable string field, keeping only its bytes.</summary>
    public void Read(ref Utf8JsonReader reader, string field)
    {
        value = null;
        if (!JsonRead.StringToken(ref reader, field))
        {
            length = -1;
            return;
        }

        if (bytes.Length < reader.ValueSpan.Length)
        {
            bytes = new byte[Math.Max(reader.ValueSpan.Length, bytes.Length * 2)];
        }

        length = reader.CopyString(bytes);
    }
}

/// <summary>
/// Remembers the last few identifier strings by their UTF-8 bytes, so the ids repeated on every audio delta
/// (response and item ids) are returned as the same string instead of a fresh allocation.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Slots = 8;
    private const int MaxCachedLength = 128;

    private readonly byte[]?[] keys = new byte[Slots][];
    private readonly string?[] values = new string[Slots];
    private int next;

    /// <summary>Reads a nullable string field, reusing a cached instance when the bytes match.</summary>
    public string? Read(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        if (!JsonRead.StringToken(ref reader, field, parent))
        {
            return null;
        }

        var span = reader.ValueSpan;
        if (reader.ValueIsEscaped || span.Length > MaxCachedLength)
        {
            return reader.GetString();
        }

        for (var i = 0; i < Slots; i++)
        {
            if (keys[i] is { } key && span.SequenceEqual(key))
            {
                return values[i];
            }
        }

        var text = reader.GetString()!;
        keys[next] = span.ToArray();
        values[next] = text;
        next = (next + 1) % Slots;
        return text;
    }
}
