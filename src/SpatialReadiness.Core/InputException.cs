namespace SpatialReadiness.Core;

/// <summary>
/// Input a user can fix: the message says what is wrong and where, and how to fix it. Mapped once to an RFC 9457
/// problem (HTTP) or one line with a non-zero exit (CLI). <see cref="Code"/> is a stable machine-readable name.
/// </summary>
public sealed class InputException(InputError code, string message) : Exception(message)
{
    public InputError Code { get; } = code;
}

public enum InputError
{
    /// <summary>The file is not what its format requires (malformed JSON, missing .shp, ...).</summary>
    Malformed,
    /// <summary>The format could not be recognised or is not supported here.</summary>
    UnsupportedFormat,
    /// <summary>The upload or its unpacked content exceeds a configured limit.</summary>
    TooLarge,
    /// <summary>The content parses but cannot be stored as asked (coordinates out of range, outside India, ...).</summary>
    Unprocessable,
    /// <summary>A name given in the request (city, layer) does not exist.</summary>
    NotFound,
    /// <summary>The request conflicts with what is stored (a city that already exists).</summary>
    Conflict,
}
