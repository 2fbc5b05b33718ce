using System.Collections.Frozen;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>A protocol-level problem in an otherwise readable JSON event; caught by the parsers.</summary>
internal sealed class ProtocolFormatException(string message) : Exception(message);

/// <summary>Turns a caught parse exception into the message the parsers hand back.</summary>
internal static class ParseFailure
{
    public static string Describe(string typeName, Exception exception)
    {
        var subject = typeName.Length == 0 ? "event" : typeName;
        return exception switch
        {
            ProtocolFormatException => $"{subject}: {exception.Message}",
            JsonException => $"{subject}: malformed JSON: {exception.Message}",
            _ => $"{subject}: unreadable JSON text: {exception.Message}",
        };
    }

    public static ProtocolFormatException BadBase64(string field) => new($"field '{field}' is not valid base64");
}

/// <summary>
/// Cursor helpers over <see cref="Utf8JsonReader"/>. Each value reader first advances from a property name
/// to its value, checks the token kind and throws <see cref="ProtocolFormatException"/> naming the field.
/// </summary>
internal static class JsonRead
{
    private const int MaxTypeNameLength = 96;

    /// <summary>Finds the top-level <c>type</c> and looks it up; false (with the name) when it is not in the table.</summary>
    public static bool TryFindType<T>(
        ReadOnlySpan<byte> utf8,
        FrozenDictionary<string, (T Value, string Name)>.AlternateLookup<ReadOnlySpan<char>> names,
        out T value,
        out string name)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProtocolFormatException($"expected a JSON object, found {Describe(reader.TokenType)}");
        }

        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("type"u8))
            {
                Skip(ref reader);
                continue;
            }

            RequiredStringToken(ref reader, "type");
            if (reader.ValueSpan.Length <= MaxTypeNameLength)
            {
                Span<char> chars = stackalloc char[MaxTypeNameLength];
                var length = reader.CopyString(chars);
                if (names.TryGetValue(chars[..length], out var known))
                {
                    (value, name) = known;
                    return true;
                }
            }

            name = reader.GetString()!;
            value = default!;
            return false;
        }

        throw new ProtocolFormatException("missing required field 'type'");
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        Value(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Moves from a property name (or array slot) onto the next token.</summary>
    public static void Value(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new ProtocolFormatException("unexpected end of JSON");
        }
    }

    /// <summary>Checks that nothing but whitespace follows the event object.</summary>
    public static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new ProtocolFormatException("unexpected content after the event object");
        }
    }

    public static void Skip(ref Utf8JsonReader reader)
    {
        Value(ref reader);
        reader.Skip();
    }

    /// <summary>Moves onto an object value; false when it is JSON null.</summary>
    public static bool ObjectOrNull(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => true,
            JsonTokenType.Null => false,
            _ => throw WrongType(ref reader, field, parent, "an object"),
        };
    }

    public static void Object(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        ExpectObject(ref reader, field, parent);
    }

    /// <summary>Checks that the current token (an array element, say) starts an object.</summary>
    public static void ExpectObject(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw WrongType(ref reader, field, parent, "an object");
        }
    }

    /// <summary>Moves onto an array value; false when it is JSON null.</summary>
    public static bool ArrayOrNull(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.StartArray => true,
            JsonTokenType.Null => false,
            _ => throw WrongType(ref reader, field, parent, "an array"),
        };
    }

    /// <summary>Moves to the next element of the current array; false at its end.</summary>
    public static bool NextElement(ref Utf8JsonReader reader)
    {
        Value(ref reader);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>Moves onto a string value; false when it is JSON null. Use the reader's value afterwards.</summary>
    public static bool StringToken(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.String => true,
            JsonTokenType.Null => false,
            _ => throw WrongType(ref reader, field, parent, "a string"),
        };
    }

    /// <summary>Moves onto a string value that must not be null. Use the reader's value afterwards.</summary>
    public static void RequiredStringToken(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(ref reader, field, parent, "a string");
        }
    }

    public static string? String(ref Utf8JsonReader reader, string field, string? parent = null) =>
        StringToken(ref reader, field, parent) ? reader.GetString() : null;

    public static string RequiredString(ref Utf8JsonReader reader, string field, string? parent = null) =>
        String(ref reader, field, parent) ?? throw new ProtocolFormatException($"field '{Path(parent, field)}' must not be null");

    public static int Int32(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
        {
            throw WrongType(ref reader, field, parent, "a 32-bit integer");
        }

        return value;
    }

    public static double Double(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
        {
            throw WrongType(ref reader, field, parent, "a number");
        }

        return value;
    }

    public static bool Boolean(ref Utf8JsonReader reader, string field, string? parent = null)
    {
        Value(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw WrongType(ref reader, field, parent, "a boolean"),
        };
    }

    public static ProtocolFormatException BadValue(ref Utf8JsonReader reader, string field, string? parent, string expected)
    {
        var found = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxTypeNameLength
            ? $"'{reader.GetString()}'"
            : Describe(reader.TokenType);
        return new ProtocolFormatException($"field '{Path(parent, field)}' must be {expected}, found {found}");
    }

    public static ProtocolFormatException Missing(string field, string? parent = null) =>
        new($"missing required field '{Path(parent, field)}'");

    private static ProtocolFormatException WrongType(ref Utf8JsonReader reader, string field, string? parent, string expected) =>
        new($"field '{Path(parent, field)}' must be {expected}, found {Describe(reader.TokenType)}");

    private static string Path(string? parent, string field) => parent is null ? field : $"{parent}.{field}";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.None => "no JSON value",
        _ => token.ToString(),
    };
}
